import { comparison, Cursor, FilterPatternError } from "./values.js";

/**
 * Space-delimited patterns: `[ip, user, ts, request = "*html*", status_code = 5*, bytes > 1000]`.
 * The event splits at spaces; text inside `"…"` or `[…]` is one field. Each pattern slot names a
 * field and may add conditions (joined with `&&`/`||`); `...` stands for any number of fields.
 * Without `...` the event must have exactly as many fields as the pattern has slots.
 */

type Slot = { ellipsis: true } | { ellipsis: false; test: (field: string) => boolean };

export function compileDelimited(pattern: string): (message: string) => boolean {
  const slots = parseSlots(pattern);
  return (message) => matchFields(slots, 0, splitFields(message), 0);
}

function parseSlots(pattern: string): Slot[] {
  const cursor = new Cursor(pattern);
  cursor.expect("[", "[");
  const slots: Slot[] = [];
  if (cursor.accept("]")) throw new FilterPatternError(`A space-delimited pattern needs at least one field`);
  for (;;) {
    if (cursor.accept("...")) slots.push({ ellipsis: true });
    else slots.push({ ellipsis: false, test: parseSlotOr(cursor) });
    if (cursor.accept(",")) continue;
    cursor.expect("]", ", or ]");
    break;
  }
  if (!cursor.done) throw cursor.error("unexpected text after ]");
  return slots;
}

type FieldTest = (field: string) => boolean;

function parseSlotOr(cursor: Cursor): FieldTest {
  const parts = [parseSlotAnd(cursor)];
  while (cursor.accept("||")) parts.push(parseSlotAnd(cursor));
  return parts.length === 1 ? parts[0]! : (f) => parts.some((p) => p(f));
}

function parseSlotAnd(cursor: Cursor): FieldTest {
  const parts = [parseSlotCondition(cursor)];
  while (cursor.accept("&&")) parts.push(parseSlotCondition(cursor));
  return parts.length === 1 ? parts[0]! : (f) => parts.every((p) => p(f));
}

/** `name`, `name <op> value`, or a bare quoted literal that the field must equal. */
function parseSlotCondition(cursor: Cursor): FieldTest {
  cursor.skipSpace();
  if (cursor.text[cursor.pos] === '"') {
    const literal = comparison("=", { kind: "string", text: cursor.quoted() }, true);
    return literal;
  }
  const start = cursor.pos;
  while (cursor.pos < cursor.text.length && /[A-Za-z0-9_$.\-@]/.test(cursor.text[cursor.pos] ?? ""))
    cursor.pos++;
  if (cursor.pos === start) throw cursor.error("expected a field name");
  const op = cursor.comparator();
  if (!op) return () => true;
  return comparison(op, cursor.value(",]"), true);
}

function matchFields(slots: Slot[], si: number, fields: string[], fi: number): boolean {
  if (si === slots.length) return fi === fields.length;
  const slot = slots[si]!;
  if (slot.ellipsis) {
    for (let skip = fi; skip <= fields.length; skip++) {
      if (matchFields(slots, si + 1, fields, skip)) return true;
    }
    return false;
  }
  const field = fields[fi];
  return field !== undefined && slot.test(field) && matchFields(slots, si + 1, fields, fi + 1);
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
