import { listSourceKeys } from "../../runtime/secrets/index.js";
import type { CommandContext } from "../_kit/index.js";

export async function secretsList(ctx: CommandContext): Promise<void> {
  const clients = await ctx.aws();
  const keys = await listSourceKeys(clients);
  const { style } = ctx.output;
  ctx.output.result({ keys }, ({ keys: rows }) => {
    ctx.output.table(
      ["SOURCE", "PARAMETER", "STATE", "LAST CHANGED", "VERSION"],
      rows.map((k) => [
        k.source,
        k.parameter,
        !k.set
          ? style.dim("not set")
          : k.type === "SecureString"
            ? style.green("set")
            : style.yellow(`set as ${k.type ?? "?"}`),
        k.lastChanged ?? "-",
        k.version === undefined ? "-" : String(k.version),
      ]),
    );
    const clear = rows.filter((k) => k.set && k.type !== "SecureString");
    for (const k of clear) {
      ctx.output.warn(
        `${k.parameter} is a ${k.type ?? "plain"} parameter, not encrypted: store it again with pipeline secrets set ${k.source}`,
      );
    }
  });
}
