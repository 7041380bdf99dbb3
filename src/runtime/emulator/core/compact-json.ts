/**
 * Values the emulator keeps by the ten thousand (stream records, search documents) held as JSON
 * text rather than object trees: a celebrity item's tree takes two to three times the memory of
 * its text. ASCII text stays a string (V8 keeps it one byte a character); other text is kept as
 * UTF-8 bytes, since a string with one character past Latin-1 (an emoji in a post) takes two bytes
 * for every character. The bytes are the Buffer's own memory, never a slice of Node's shared 8 KiB
 * pool, which a kept slice would keep whole.
 */
export type CompactJson = string | Buffer;

/** Any character past ASCII (JSON.stringify has escaped every control character already). */
const NON_ASCII = /[^\x20-\x7e]/;

export function compactJson(value: unknown): CompactJson {
  const text = JSON.stringify(value);
  if (!NON_ASCII.test(text)) return text;
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text, "utf8"));
  bytes.write(text, "utf8");
  return bytes;
}

/** The value again, as a fresh object each call (callers may change it). */
export function parseCompactJson<T>(json: CompactJson): T {
  return JSON.parse(typeof json === "string" ? json : json.toString("utf8")) as T;
}
