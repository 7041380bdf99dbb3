import { eventsErrors } from "./errors.js";
import { TAG_KEY_MAX_LENGTH, TAG_VALUE_MAX_LENGTH, TAGS_PER_RESOURCE } from "./limits.js";
import type { Tag } from "./models.js";

const { constraint, validation } = eventsErrors;

/**
 * Validates a Tags member (TagResource, PutRule, CreateEventBus) as the model does: each Key 1–128
 * characters, each Value 0–256, both required; a key given twice is refused.
 */
export function validTags(value: unknown, field = "tags"): Tag[] {
  if (value === undefined || value === null) throw constraint(field, "null", "not be null");
  if (!Array.isArray(value)) throw validation(`Parameter ${field} must be a list of tags.`);
  const seen = new Set<string>();
  return value.map((raw, i) => {
    const member = `${field}.${i + 1}.member`;
    const tag = (raw ?? {}) as Record<string, unknown>;
    const key = tag["Key"];
    const text = tag["Value"];
    if (key === undefined || key === null) throw constraint(`${member}.key`, "null", "not be null");
    if (typeof key !== "string" || key.length < 1)
      throw constraint(`${member}.key`, key, "have length greater than or equal to 1");
    if (key.length > TAG_KEY_MAX_LENGTH)
      throw constraint(`${member}.key`, key, `have length less than or equal to ${TAG_KEY_MAX_LENGTH}`);
    if (text === undefined || text === null) throw constraint(`${member}.value`, "null", "not be null");
    if (typeof text !== "string" || text.length > TAG_VALUE_MAX_LENGTH)
      throw constraint(`${member}.value`, text, `have length less than or equal to ${TAG_VALUE_MAX_LENGTH}`);
    if (key.startsWith("aws:"))
      throw validation(`Invalid tag key ${key}: the aws: prefix is reserved for AWS use.`);
    if (seen.has(key)) throw validation("Invalid parameter: Duplicated keys are not allowed.");
    seen.add(key);
    return { Key: key, Value: text };
  });
}

/** `existing` with `added` applied: a known key takes the new value in place, a new key is appended. */
export function mergeTags(existing: Tag[] | undefined, added: Tag[]): Tag[] {
  const merged = (existing ?? []).map((t) => ({ ...t }));
  for (const tag of added) {
    const known = merged.find((t) => t.Key === tag.Key);
    if (known) known.Value = tag.Value;
    else merged.push({ ...tag });
  }
  if (merged.length > TAGS_PER_RESOURCE) {
    throw validation(
      `A resource can have at most ${TAGS_PER_RESOURCE} tags; it would have ${merged.length}.`,
    );
  }
  return merged;
}
