import { comparison, Cursor, FilterPatternError } from "./values.js";

/**
 * Space-delimited patterns: `[ip, user, ts, request = "*html*", status_code = 5*, bytes > 1000]`.
 * The event splits at spaces; text inside `"…"` or `[…]` is one field. Each pattern slot names a
 * field and may add conditions (joined with `&&`/`||`); `...` stands for any number of fields.
 * Without `...` the event must have exactly as many fields as the pattern has slots.
 */

type Slot = { ellipsis: true } | { ellipsis: false; name?: string; test: (field: string) => boolean };

export function compileDelimited(pattern: string): (message: string) => boolean {
  const slots = parseSlots(pattern);
  return (message) => matchFields(slots, 0, splitFields(message), 0, {});
}

/**
 * The named fields of a message the pattern matches (`{ $ip: "10.0.0.1", … }`, the names metric
 * filters use as `$ip`), or undefined when it does not match.
 */
export function delimitedFields(pattern: string, message: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  return matchFields(parseSlots(pattern), 0, splitFields(message), 0, out) ? out : undefined;
}

function parseSlots(pattern: string): Slot[] {
  const cursor = new Cursor(pattern);
  cursor.expect("[", "[");
  const slots: Slot[] = [];
  if (cursor.accept("]")) throw new FilterPatternError(`A space-delimited pattern needs at least one field`);
  for (;;) {
    if (cursor.accept("...")) slots.push({ ellipsis: true });
    else {
      const names: string[] = [];
      const test = parseSlotOr(cursor, names);
      slots.push({ ellipsis: false, ...(names[0] ? { name: names[0] } : {}), test });
    }
    if (cursor.accept(",")) continue;
    cursor.expect("]", ", or ]");
    break;
  }
  if (!cursor.done) throw cursor.error("unexpected text after ]");
  return slots;
}

type FieldTest = (field: string) => boolean;

function parseSlotOr(cursor: Cursor, names: string[]): FieldTest {
  const parts = [parseSlotAnd(cursor, names)];
  while (cursor.accept("||")) parts.push(parseSlotAnd(cursor, names));
  return parts.length === 1 ? parts[0]! : (f) => parts.some((p) => p(f));
}

function parseSlotAnd(cursor: Cursor, names: string[]): FieldTest {
  const parts = [parseSlotCondition(cursor, names)];
  while (cursor.accept("&&")) parts.push(parseSlotCondition(cursor, names));
  return parts.length === 1 ? parts[0]! : (f) => parts.every((p) => p(f));
}

/** `name`, `name <op> value`, or a bare quoted literal that the field must equal. */
function parseSlotCondition(cursor: Cursor, names: string[]): FieldTest {
  cursor.skipSpace();
  if (cursor.text[cursor.pos] === '"') {
    const literal = comparison("=", { kind: "string", text: cursor.quoted() }, true);
    return literal;
  }
  const start = cursor.pos;
  while (cursor.pos < cursor.text.length && /[A-Za-z0-9_$.\-@]/.test(cursor.text[cursor.pos] ?? ""))
    cursor.pos++;
  if (cursor.pos === start) throw cursor.error("expected a field name");
  names.push(cursor.text.slice(start, cursor.pos));
  const op = cursor.comparator();
  if (!op) return () => true;
  return comparison(op, cursor.value(",]"), true);
}

/** Matches slots to fields; on success `out` holds each named slot's field as `$<name>`. */
function matchFields(
  slots: Slot[],
  si: number,
  fields: string[],
  fi: number,
  out: Record<string, string>,
): boolean {
  if (si === slots.length) return fi === fields.length;
  const slot = slots[si]!;
  if (slot.ellipsis) {
    for (let skip = fi; skip <= fields.length; skip++) {
      if (matchFields(slots, si + 1, fields, skip, out)) return true;
    }
    return false;
  }
  const field = fields[fi];
  if (field === undefined || !slot.test(field) || !matchFields(slots, si + 1, fields, fi + 1, out))
    return false;
  if (slot.name) out[`$${slot.name}`] = field;
  return true;
}

/** Splits at runs of whitespace; `"…"` and `[…]` stay one field, without their delimiters. */
export function splitFields(message: string): string[] {
  const fields: string[] = [];
  let i = 0;
  const n = message.length;
  while (i < n) {
    while (i < n && /\s/.test(message[i] ?? "")) i++;
    if (i >= n) break;
    const open = message[i];
    const close = open === '"' ? '"' : open === "[" ? "]" : undefined;
    if (close) {
      const end = message.indexOf(close, i + 1);
      if (end >= 0) {
        fields.push(message.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    const start = i;
    while (i < n && !/\s/.test(message[i] ?? "")) i++;
    fields.push(message.slice(start, i));
  }
  return fields;
}
