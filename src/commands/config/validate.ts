import { ConfigError, configWarnings, describeSource, OperatorError } from "../../runtime/config/index.js";
import { EXIT, FatalError, type CommandContext } from "../_kit/index.js";

export async function configValidate(options: { strict: boolean }, ctx: CommandContext): Promise<void> {
  let resolved;
  try {
    resolved = await ctx.config();
  } catch (error) {
    if (ctx.output.mode === "json" && error instanceof OperatorError) {
      const problems =
        error instanceof ConfigError
          ? error.problems.map((problem) => ({
              key: problem.key,
              ...("value" in problem ? { value: problem.value } : {}),
              source: problem.source ? describeSource(problem.source) : null,
              allowed: problem.allowed,
            }))
          : [{ key: null, allowed: error.message }];
      ctx.output.json({ valid: false, problems, warnings: [] });
    }
    throw error;
  }
  const warnings = configWarnings(resolved.config);
  const valid = !(options.strict && warnings.length > 0);
  ctx.output.result(
    { valid, target: resolved.config.target, file: resolved.file ?? null, problems: [], warnings },
    () => {
      const { style } = ctx.output;
      for (const warning of warnings) ctx.output.warn(`${warning.key}: ${warning.message}`);
      if (valid) {
        ctx.output.line(
          `${style.green("ok")} configuration is valid for target ${resolved.config.target}` +
            (resolved.file ? ` (file ${resolved.file})` : " (no config file)") +
            (warnings.length ? `, ${warnings.length} warning${warnings.length === 1 ? "" : "s"}` : ""),
        );
      }
    },
  );
  // --strict makes a warning an error of the configuration: exit 2, as for a bad value.
  if (!valid) {
    throw new FatalError(
      `configuration has ${warnings.length} warning${warnings.length === 1 ? "" : "s"} and --strict is set`,
      EXIT.usage,
    );
  }
}
