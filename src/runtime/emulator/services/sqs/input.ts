import { sqsErrors } from "./errors.js";

/**
 * Readers for operation inputs. The JSON protocol gives typed values; the query protocol gives
 * strings for everything, so numbers and booleans also accept their text form.
 */
export type Input = Record<string, unknown>;

export function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw sqsErrors.invalidParameterValue(`Value for parameter ${name} must be a string.`);
  }
  return value;
}

export function requiredString(input: Input, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined || value === "") throw sqsErrors.missingParameter(name);
  return value;
}

export function optionalInteger(input: Input, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null || value === "") return undefined;
  const number = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : NaN;
  if (!Number.isInteger(number)) {
    throw sqsErrors.invalidValueFor(name, value, "Must be an integer.");
  }
  return number;
}

export function integerInRange(
  input: Input,
  name: string,
  range: { min: number; max: number },
  reason = `Must be >= ${range.min} and <= ${range.max}, if provided.`,
): number | undefined {
  const value = optionalInteger(input, name);
  if (value !== undefined && (value < range.min || value > range.max)) {
    throw sqsErrors.invalidValueFor(name, value, reason);
  }
  return value;
}

export function stringList(input: Input, name: string): string[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) {
    if (typeof item !== "string") {
      throw sqsErrors.invalidParameterValue(`Every value of ${name} must be a string.`);
    }
  }
  return list as string[];
}

export function stringMap(input: Input, name: string): Record<string, string> | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw sqsErrors.invalidParameterValue(`${name} must be a map of strings.`);
  }
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item === "string") out[key] = item;
    else if (typeof item === "number" || typeof item === "boolean") out[key] = String(item);
    else throw sqsErrors.invalidParameterValue(`The value of ${name}.${key} must be a string.`);
  }
  return out;
}

export function objectMap(input: Input, name: string): Record<string, Input> | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw sqsErrors.invalidParameterValue(`${name} must be a map.`);
  }
  const out: Record<string, Input> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (!item || typeof item !== "object" || Array.isArray(item)) {
      throw sqsErrors.invalidParameterValue(`The value of ${name}.${key} must be a structure.`);
    }
    out[key] = item as Input;
  }
  return out;
}

export function entryList(input: Input, name: string): Input[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw sqsErrors.invalidParameterValue(`${name} must be a list.`);
  for (const item of value) {
    if (!item || typeof item !== "object" || Array.isArray(item)) {
      throw sqsErrors.invalidParameterValue(`Every entry of ${name} must be a structure.`);
    }
  }
  return value as Input[];
}

/** Blobs arrive base64-encoded over JSON and query; in-process callers may pass bytes. */
export function base64Value(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  throw sqsErrors.invalidParameterValue("BinaryValue must be base64-encoded bytes.");
}
