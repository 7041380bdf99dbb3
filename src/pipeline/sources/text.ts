import { MAX_LIST_ENTRIES } from "../model/index.js";

/** Compares names as people read them: case, accents and spacing do not matter. */
export function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

export function nameKey(value: string): string {
  return value
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

/** Whitespace collapsed and trimmed: source text arrives with newlines and double spaces. */
export function cleanText(value: string | null | undefined): string {
  return (value ?? "").replace(/\s+/g, " ").trim();
}

/** Non-empty cleaned entries, first occurrence kept, at most MAX_LIST_ENTRIES. */
export function topUnique(values: Iterable<string | null | undefined>, limit = MAX_LIST_ENTRIES): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of values) {
    const text = cleanText(value);
    const key = text.toLowerCase();
    if (text === "" || seen.has(key)) continue;
    seen.add(key);
    out.push(text);
    if (out.length >= limit) break;
  }
  return out;
}
