/**
 * Errors written for the operator. The CLI prints their message without a stack trace and exits
 * with `exitCode` (2: bad input or environment). Engines throw these, or subclasses named after
 * the condition, for anything the operator can fix; any other error is treated as a bug.
 * This file imports nothing so that the CLI can load it on every start.
 */
export class OperatorError extends Error {
  override name = "OperatorError";
  readonly exitCode: number = 2;
}

/** Where a configuration value came from, for messages and `pipeline config show`. */
export interface ValueSource {
  kind: "default" | "profile" | "file" | "env" | "flag";
  /** The default's reason, the file path (and section), the env var or the flag. */
  detail: string;
}

export function describeSource(source: ValueSource): string {
  switch (source.kind) {
    case "default":
      return source.detail ? `default, ${source.detail}` : "default";
    case "profile":
      return `AWS profile ${source.detail}`;
    case "file":
      return `file ${source.detail}`;
    case "env":
      return `env ${source.detail}`;
    case "flag":
      return `flag ${source.detail}`;
  }
}

/** One bad configuration value: the key, the value, where it came from and what is allowed. */
export interface ConfigProblem {
  key: string;
  value?: unknown;
  source?: ValueSource;
  allowed: string;
}

export function formatProblem(problem: ConfigProblem): string {
  const value = "value" in problem ? ` = ${formatValue(problem.value)}` : "";
  const from = problem.source ? ` (from ${describeSource(problem.source)})` : "";
  return `${problem.key}${value}${from}: ${problem.allowed}`;
}

function formatValue(value: unknown): string {
  if (value === undefined) return "(not set)";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The configuration is invalid; one problem per bad key. */
export class ConfigError extends OperatorError {
  override name = "ConfigError";
  constructor(
    readonly problems: ConfigProblem[],
    heading = "invalid configuration",
  ) {
    super(
      problems.length === 1
        ? `${heading}: ${formatProblem(problems[0]!)}`
        : `${heading}:\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`,
    );
  }
}
