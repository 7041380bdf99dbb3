import { listEnvVars, maskSecret } from "../../runtime/config/index.js";
import type { CommandContext } from "../_kit/index.js";

export async function configEnv(ctx: CommandContext): Promise<void> {
  const rows = listEnvVars().map(({ name, spec }) => {
    const raw = ctx.env[name]?.trim() || undefined;
    return {
      name,
      key: spec.key ?? null,
      value: raw === undefined ? null : spec.secret ? maskSecret(raw) : raw,
      description: spec.doc,
    };
  });
  ctx.output.result(rows, () => {
    const { style } = ctx.output;
    ctx.output.table(
      ["VARIABLE", "SETS", "VALUE", "DESCRIPTION"],
      rows.map((row) => [row.name, row.key ?? "-", row.value ?? style.dim("(unset)"), row.description]),
    );
  });
}
