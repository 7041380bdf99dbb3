import { compileRegex, Cursor, FilterPatternError } from "./values.js";

/**
 * Term patterns for unstructured events: `ERROR timeout` (all terms), `"exact phrase"`,
 * `?ERROR ?WARN` (any of the optional terms), `ERROR -Retry` (exclusion) and `%regex%`.
 * Terms are case-sensitive and match whole terms: `Exception` matches `[Exception]` and
 * `Exception:` but not `NullPointerException` (aws-behaviour.md §7.2).
 */

type TermTest = (message: string) => boolean;

interface Term {
  mode: "required" | "optional" | "excluded";
  test: TermTest;
}

export function compileTerms(pattern: string): (message: string) => boolean {
  const terms = parseTerms(pattern);
  const required = terms.filter((t) => t.mode === "required");
  const optional = terms.filter((t) => t.mode === "optional");
  const excluded = terms.filter((t) => t.mode === "excluded");
  return (message) =>
    required.every((t) => t.test(message)) &&
    !excluded.some((t) => t.test(message)) &&
    (optional.length === 0 || optional.some((t) => t.test(message)));
}

function parseTerms(pattern: string): Term[] {
  const cursor = new Cursor(pattern);
  const terms: Term[] = [];
  while (!cursor.done) {
    let mode: Term["mode"] = "required";
    if (cursor.accept("?")) mode = "optional";
    else if (cursor.accept("-")) mode = "excluded";
    const next = cursor.text[cursor.pos];
    if (next === undefined || /\s/.test(next)) {
      throw new FilterPatternError(
        `A ${mode === "optional" ? "?" : "-"} must be followed by a term: ${pattern}`,
      );
    }
    let test: TermTest;
    if (next === '"') {
      test = wholeTerm(cursor.quoted());
    } else if (next === "%") {
      const regex = compileRegex(cursor.delimited("%"));
      test = (message) => regex.test(message);
    } else {
      const start = cursor.pos;
      while (cursor.pos < pattern.length && !/\s/.test(pattern[cursor.pos] ?? "")) cursor.pos++;
      test = wholeTerm(pattern.slice(start, cursor.pos));
    }
    terms.push({ mode, test });
  }
  return terms;
}

const WORD = /[A-Za-z0-9_]/;

/** True when `term` occurs in the message with no word character glued to either end. */
function wholeTerm(term: string): TermTest {
  if (!term) return () => true;
  const checkBefore = WORD.test(term[0] ?? "");
  const checkAfter = WORD.test(term[term.length - 1] ?? "");
  return (message) => {
    for (let at = message.indexOf(term); at >= 0; at = message.indexOf(term, at + 1)) {
      const before = message[at - 1];
      const after = message[at + term.length];
      if (checkBefore && before !== undefined && WORD.test(before)) continue;
      if (checkAfter && after !== undefined && WORD.test(after)) continue;
      return true;
    }
    return false;
  };
}
