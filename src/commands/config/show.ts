import { describeSource, maskSecret, type ConfigEntry } from "../../runtime/config/index.js";
import type { CommandContext } from "../_kit/index.js";

export async function configShow(ctx: CommandContext): Promise<void> {
  const resolved = await ctx.config();
  const entries = resolved.entries();
  const display = (entry: ConfigEntry) =>
    entry.secret && entry.value !== undefined ? maskSecret(entry.value) : entry.value;
  const report = {
    target: resolved.config.target,
    file: resolved.file ?? null,
    config: nest(
      entries.filter((entry) => entry.value !== undefined).map((entry) => [entry.key, display(entry)]),
    ),
    sources: Object.fromEntries(
      entries.filter((entry) => entry.source).map((entry) => [entry.key, describeSource(entry.source!)]),
    ),
  };
  ctx.output.result(report, () => {
    const { style } = ctx.output;
    ctx.output.line(
      `${style.bold("target")} ${report.target}   ${style.bold("config file")} ${report.file ?? "none (defaults, env and flags only)"}`,
    );
    ctx.output.line();
    ctx.output.table(
      ["KEY", "VALUE", "SOURCE"],
      entries.map((entry) => [
        entry.key,
        entry.value === undefined ? style.dim("(not set)") : formatValue(display(entry)),
        entry.source ? style.dim(describeSource(entry.source)) : "",
      ]),
    );
  });
}

function formatValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function nest(pairs: [string, unknown][]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of pairs) {
    const parts = key.split(".");
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = value;
  }
  return root;
}
