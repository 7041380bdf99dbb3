import { randomBytes } from "node:crypto";
import { iamErrors } from "./errors.js";
import * as limits from "./limits.js";
import type { Tag } from "./store.js";

/**
 * Readers for IAM request members. Inputs arrive as the SDK's shapes (the query adapter decodes
 * `member.N` lists) with scalars as strings; the member names in messages are IAM's (camelCase).
 */

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** IAM unique ids: a 4-letter type prefix (AROA, AIDA, AGPA, ANPA, AIPA) and 17 characters. */
export function uniqueId(prefix: string, length = 17): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

/** A 40-character secret access key. */
export function secretKey(): string {
  return randomBytes(30)
    .toString("base64")
    .replace(/[+/]/g, (c) => (c === "+" ? "A" : "z"));
}

export function required(value: unknown, member: string): string {
  if (value === undefined || value === null || value === "") throw iamErrors.missing(member);
  if (typeof value !== "string") throw iamErrors.validation(member, value, "Member must be a string");
  return value;
}

export function optional(value: unknown, member: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw iamErrors.validation(member, value, "Member must be a string");
  return value;
}

function named(value: unknown, member: string, pattern: RegExp, max: number): string {
  const name = required(value, member);
  if (!pattern.test(name)) {
    throw iamErrors.validation(
      member,
      name,
      `Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and ${max}`,
    );
  }
  return name;
}

export const roleName = (v: unknown, member = "roleName") => named(v, member, limits.ROLE_NAME_PATTERN, 64);
export const userName = (v: unknown, member = "userName") => named(v, member, limits.USER_NAME_PATTERN, 64);
export const groupName = (v: unknown, member = "groupName") =>
  named(v, member, limits.GROUP_NAME_PATTERN, 128);
export const policyName = (v: unknown, member = "policyName") =>
  named(v, member, limits.POLICY_NAME_PATTERN, 128);
export const instanceProfileName = (v: unknown, member = "instanceProfileName") =>
  named(v, member, limits.INSTANCE_PROFILE_NAME_PATTERN, 128);

export function path(value: unknown, member = "path"): string {
  if (value === undefined || value === null || value === "") return "/";
  if (
    typeof value !== "string" ||
    value.length > limits.MAX_PATH_LENGTH ||
    !limits.PATH_PATTERN.test(value)
  ) {
    throw iamErrors.validation(
      member,
      value,
      "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
    );
  }
  return value;
}

export function pathPrefix(value: unknown): string {
  if (value === undefined || value === null || value === "") return "/";
  if (typeof value !== "string" || !value.startsWith("/")) {
    throw iamErrors.validation(
      "pathPrefix",
      value,
      "Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*",
    );
  }
  return value;
}

export function policyArn(value: unknown, member = "policyArn"): string {
  const arn = required(value, member);
  if (!limits.POLICY_ARN_PATTERN.test(arn)) throw iamErrors.invalidInput(`ARN ${arn} is not valid.`);
  return arn;
}

export function optionalText(value: unknown, member: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length > max) {
    throw iamErrors.validation(member, value, `Member must have length less than or equal to ${max}`);
  }
  return value;
}

export function bool(value: unknown, member: string): boolean | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw iamErrors.validation(member, value, "Member must be a boolean");
}

export function integer(value: unknown, member: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw iamErrors.validation(member, value, "Member must be an integer");
  if (n < min) {
    throw iamErrors.validation(member, value, `Member must have value greater than or equal to ${min}`);
  }
  if (n > max)
    throw iamErrors.validation(member, value, `Member must have value less than or equal to ${max}`);
  return n;
}

export function sessionDuration(value: unknown): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < limits.MIN_SESSION_DURATION || n > limits.MAX_SESSION_DURATION) {
    throw iamErrors.validation(
      "maxSessionDuration",
      value,
      `Member must have value between ${limits.MIN_SESSION_DURATION} and ${limits.MAX_SESSION_DURATION}`,
    );
  }
  return n;
}

export function enumValue<T extends string>(
  value: unknown,
  member: string,
  values: readonly T[],
): T | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
    throw iamErrors.validation(member, value, `Member must satisfy enum value set: [${values.join(", ")}]`);
  }
  return value as T;
}

export function stringList(value: unknown, member: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw iamErrors.validation(member, value, "Member must be a list of strings");
  }
  return value as string[];
}

/** Tags as IAM checks them: key 1..128, value 0..256, IAM's character set, at most 50. */
export function readTags(value: unknown, member = "tags"): Tag[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw iamErrors.validation(member, value, "Member must be a list");
  if (value.length > limits.MAX_TAGS) {
    throw iamErrors.validation(
      member,
      `[${value.length} tags]`,
      `Member must have length less than or equal to ${limits.MAX_TAGS}`,
    );
  }
  const tags = value.map((t: unknown, i) => {
    const tag = (t ?? {}) as Record<string, unknown>;
    const key = tag["Key"];
    const val = tag["Value"] ?? "";
    if (typeof key !== "string" || key.length < 1 || key.length > 128) {
      throw iamErrors.validation(
        `${member}.${i + 1}.member.key`,
        key,
        "Member must have length between 1 and 128",
      );
    }
    if (!limits.TAG_KEY_PATTERN.test(key)) {
      throw iamErrors.validation(
        `${member}.${i + 1}.member.key`,
        key,
        "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
      );
    }
    if (typeof val !== "string" || val.length > 256) {
      throw iamErrors.validation(
        `${member}.${i + 1}.member.value`,
        val,
        "Member must have length less than or equal to 256",
      );
    }
    if (!limits.TAG_VALUE_PATTERN.test(val)) {
      throw iamErrors.validation(
        `${member}.${i + 1}.member.value`,
        val,
        "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
      );
    }
    return { Key: key, Value: val };
  });
  const keys = new Set<string>();
  for (const tag of tags) {
    if (keys.has(tag.Key))
      throw iamErrors.invalidInput(
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
      );
    keys.add(tag.Key);
  }
  return tags;
}

/** Merges `added` into `tags` (same key: replaced), refusing more than 50 in all. */
export function mergeTags(tags: Tag[], added: Tag[], quota: string): Tag[] {
  const merged = tags.map((t) => ({ ...t }));
  for (const tag of added) {
    const existing = merged.find((t) => t.Key === tag.Key);
    if (existing) existing.Value = tag.Value;
    else merged.push({ ...tag });
  }
  if (merged.length > limits.MAX_TAGS) {
    throw iamErrors.limitExceeded(`Cannot exceed quota for ${quota}: ${limits.MAX_TAGS}`);
  }
  return merged;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface Page<T> {
  items: T[];
  marker?: string;
}

/** Marker = the sort key of the last item returned, base64url-encoded. */
export function paginate<T>(
  items: T[],
  key: (item: T) => string,
  marker: unknown,
  maxItems: unknown,
): Page<T> {
  const max =
    maxItems === undefined || maxItems === null || maxItems === ""
      ? limits.MAX_ITEMS_DEFAULT
      : Number(maxItems);
  if (!Number.isInteger(max) || max < 1 || max > limits.MAX_ITEMS_LIMIT) {
    throw iamErrors.validation(
      "maxItems",
      maxItems,
      `Member must have value between 1 and ${limits.MAX_ITEMS_LIMIT}`,
    );
  }
  let start = 0;
  if (marker !== undefined && marker !== null && marker !== "") {
    if (typeof marker !== "string") throw iamErrors.invalidInput("Invalid Marker.");
    const after = Buffer.from(marker, "base64url").toString("utf8");
    const index = items.findIndex((item) => key(item) > after);
    start = index < 0 ? items.length : index;
  }
  const page = items.slice(start, start + max);
  const more = start + max < items.length;
  return more
    ? { items: page, marker: Buffer.from(key(page[page.length - 1]!)).toString("base64url") }
    : { items: page };
}

/** A page's `IsTruncated` and `Marker` members. */
export function pageInfo(page: Page<unknown>): { IsTruncated: boolean; Marker?: string } {
  return {
    IsTruncated: page.marker !== undefined,
    ...(page.marker !== undefined ? { Marker: page.marker } : {}),
  };
}
