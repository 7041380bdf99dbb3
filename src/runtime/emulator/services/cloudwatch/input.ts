import { cloudwatchErrors } from "./errors.js";

/**
 * Reads request members whatever protocol carried them: JSON gives numbers, booleans and epoch
 * seconds; the query protocol gives strings and ISO-8601 times; in-process callers may pass Dates.
 */

type Input = Record<string, unknown>;

export function str(input: Input, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string")
    throw cloudwatchErrors.invalidValue(`The parameter ${member} must be a string.`);
  return value;
}

export function requiredStr(input: Input, member: string): string {
  const value = str(input, member);
  if (value === undefined || value === "") throw cloudwatchErrors.missing(member);
  return value;
}

export function num(input: Input, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  if (!Number.isFinite(n))
    throw cloudwatchErrors.invalidValue(`The value ${String(value)} for parameter ${member} is invalid.`);
  return n;
}

export function int(input: Input, member: string): number | undefined {
  const n = num(input, member);
  if (n !== undefined && !Number.isInteger(n)) {
    throw cloudwatchErrors.invalidValue(`The value ${n} for parameter ${member} is invalid.`);
  }
  return n;
}

export function bool(input: Input, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  throw cloudwatchErrors.invalidValue(`The value ${String(value)} for parameter ${member} is invalid.`);
}

/** Epoch milliseconds from epoch seconds (JSON), an ISO-8601 string (query) or a Date. */
export function time(input: Input, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null || value === "") return undefined;
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return Math.round(value * 1000);
  if (typeof value === "string") {
    const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
    if (Number.isFinite(seconds)) return Math.round(seconds);
  }
  throw cloudwatchErrors.invalidValue(`The value ${String(value)} for parameter ${member} is invalid.`);
}

export function list(input: Input, member: string): unknown[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw cloudwatchErrors.invalidValue(`The parameter ${member} must be a list.`);
  return value.filter((v) => v !== undefined);
}

export function stringList(input: Input, member: string): string[] | undefined {
  const values = list(input, member);
  if (values?.some((v) => typeof v !== "string")) {
    throw cloudwatchErrors.invalidValue(`The parameter ${member} must be a list of strings.`);
  }
  return values as string[] | undefined;
}

export function struct(value: unknown, member: string): Input {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw cloudwatchErrors.invalidValue(`The parameter ${member} must be a structure.`);
  }
  return value as Input;
}

export interface Dimension {
  Name: string;
  Value: string;
}

/** Dimensions, validated and sorted by name (a metric is identified by its exact set). */
export function dimensions(input: Input, member: string, valueRequired = true): Dimension[] {
  const values = list(input, member) ?? [];
  if (values.length > 30)
    throw cloudwatchErrors.invalidValue(`The collection ${member} must not have a size greater than 30.`);
  const out = values.map((v, i) => {
    const d = struct(v, `${member}.member.${i + 1}`);
    const name = d["Name"];
    const value = d["Value"];
    if (typeof name !== "string" || name.length < 1 || name.length > 255) {
      throw cloudwatchErrors.missing(`${member}.member.${i + 1}.Name`);
    }
    if (valueRequired && (typeof value !== "string" || value.length < 1 || value.length > 1024)) {
      throw cloudwatchErrors.missing(`${member}.member.${i + 1}.Value`);
    }
    return { Name: name, Value: typeof value === "string" ? value : "" };
  });
  const names = new Set(out.map((d) => d.Name));
  if (names.size !== out.length) {
    throw cloudwatchErrors.invalidValue(`No metric may have duplicate dimension names in ${member}.`);
  }
  return out.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}
