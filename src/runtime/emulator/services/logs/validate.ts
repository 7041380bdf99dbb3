import { logsErrors } from "./errors.js";

/** Reads request members defensively: the wire gives us unknown JSON, whatever the SDK types say. */

export function requiredString(input: object, member: string): string {
  const value = (input as Record<string, unknown>)[member];
  if (value === undefined || value === null) throw logsErrors.missing(member);
  if (typeof value !== "string") throw logsErrors.constraint(member, value, "Member must be a string");
  return value;
}

export function optionalString(input: object, member: string): string | undefined {
  const value = (input as Record<string, unknown>)[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw logsErrors.constraint(member, value, "Member must be a string");
  return value;
}

export function optionalNumber(
  input: object,
  member: string,
  min?: number,
  max?: number,
): number | undefined {
  const value = (input as Record<string, unknown>)[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw logsErrors.constraint(member, value, "Member must be a number");
  }
  if (min !== undefined && value < min) {
    throw logsErrors.constraint(member, value, `Member must have value greater than or equal to ${min}`);
  }
  if (max !== undefined && value > max) {
    throw logsErrors.constraint(member, value, `Member must have value less than or equal to ${max}`);
  }
  return value;
}

export function optionalBoolean(input: object, member: string): boolean | undefined {
  const value = (input as Record<string, unknown>)[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw logsErrors.constraint(member, value, "Member must be a boolean");
  return value;
}

export function optionalStringList(input: object, member: string): string[] | undefined {
  const value = (input as Record<string, unknown>)[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw logsErrors.constraint(member, JSON.stringify(value), "Member must be a list of strings");
  }
  return value as string[];
}

export function optionalTags(input: object, member: string): Record<string, string> | undefined {
  const value = (input as Record<string, unknown>)[member];
  if (value === undefined || value === null) return undefined;
  if (
    typeof value !== "object" ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== "string")
  ) {
    throw logsErrors.constraint(member, JSON.stringify(value), "Member must be a map of strings");
  }
  return value as Record<string, string>;
}

/** Opaque pagination tokens: base64url JSON, refused with AWS's message when tampered with. */
export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeToken<T>(token: string, check: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (check(value)) return value;
  } catch {
    // refused below
  }
  throw logsErrors.invalidToken();
}
