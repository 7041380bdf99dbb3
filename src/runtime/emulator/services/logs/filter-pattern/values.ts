/**
 * Pieces shared by the three filter pattern syntaxes (terms, JSON, space-delimited): the error a
 * bad pattern raises, right-hand values, and how a value from a log event compares with them.
 */

/** A pattern CloudWatch Logs would refuse; the provider turns it into InvalidParameterException. */
export class FilterPatternError extends Error {
  override readonly name = "FilterPatternError";
}

export type Comparator = "=" | "!=" | "<" | ">" | "<=" | ">=";

/** A value on the right of a comparison: text (with `*` wildcards), a number, or a `%regex%`. */
export type PatternValue =
  | { kind: "string"; text: string }
  | { kind: "number"; value: number; text: string }
  | { kind: "regex"; regex: RegExp };

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function parseNumber(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text) : undefined;
}

/** `*` matches any run of characters; everything else is literal; the whole value must match. */
export function globToRegExp(glob: string): RegExp {
  const source = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "s");
}

/**
 * Compiles `%…%` regex text. CloudWatch allows a limited regex dialect (no capture groups); a
 * pattern JavaScript cannot compile is refused rather than matched loosely.
 */
export function compileRegex(source: string): RegExp {
  if (/(^|[^\\])\((?!\?)/.test(source)) {
    throw new FilterPatternError(`Capture groups are not supported in filter pattern regex %${source}%`);
  }
  try {
    return new RegExp(source);
  } catch {
    throw new FilterPatternError(`Invalid regex in filter pattern: %${source}%`);
  }
}

export type ValueMatcher = (actual: unknown) => boolean;

/**
 * Builds the test for `<field> <op> <value>`. `textual` says whether event values arrive as text
 * (space-delimited fields) so numbers must be parsed from them; JSON values keep their JSON types.
 */
export function comparison(op: Comparator, value: PatternValue, textual: boolean): ValueMatcher {
  if (value.kind === "regex") {
    if (op !== "=" && op !== "!=") throw new FilterPatternError(`Operator ${op} cannot be used with a regex`);
    const test = (actual: unknown) =>
      (typeof actual === "string" || typeof actual === "number") && value.regex.test(String(actual));
    return op === "=" ? test : (actual) => isScalar(actual) && !test(actual);
  }
  if (value.kind === "number") {
    return (actual) => {
      const n =
        typeof actual === "number"
          ? actual
          : textual && typeof actual === "string"
            ? parseNumber(actual)
            : undefined;
      if (n === undefined) {
        // A numeric-looking literal still matches the same text exactly (e.g. a version "1.0").
        if (op === "=" && typeof actual === "string") return actual === value.text;
        return false;
      }
      return compareNumbers(n, op, value.value);
    };
  }
  if (op !== "=" && op !== "!=") {
    throw new FilterPatternError(`Operator ${op} needs a number on its right, got "${value.text}"`);
  }
  const pattern = globToRegExp(value.text);
  const test = (actual: unknown) => typeof actual === "string" && pattern.test(actual);
  return op === "=" ? test : (actual) => typeof actual === "string" && !pattern.test(actual);
}

function isScalar(actual: unknown): boolean {
  return typeof actual === "string" || typeof actual === "number";
}

function compareNumbers(actual: number, op: Comparator, expected: number): boolean {
  switch (op) {
    case "=":
      return actual === expected;
    case "!=":
      return actual !== expected;
    case "<":
      return actual < expected;
    case ">":
      return actual > expected;
    case "<=":
      return actual <= expected;
    case ">=":
      return actual >= expected;
  }
}

/**
 * A small cursor over pattern text, shared by the JSON and space-delimited parsers.
 */
export class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? "")) this.pos++;
  }

  peek(token: string): boolean {
    this.skipSpace();
    return this.text.startsWith(token, this.pos);
  }

  /** Consumes `token` if it is next (case-sensitive). */
  accept(token: string): boolean {
    if (!this.peek(token)) return false;
    this.pos += token.length;
    return true;
  }

  /** Consumes a keyword (case-insensitive, whole word). */
  acceptWord(word: string): boolean {
    this.skipSpace();
    const slice = this.text.slice(this.pos, this.pos + word.length);
    const after = this.text[this.pos + word.length] ?? "";
    if (slice.toUpperCase() === word && !/[A-Za-z0-9_]/.test(after)) {
      this.pos += word.length;
      return true;
    }
    return false;
  }

  expect(token: string, what: string): void {
    if (!this.accept(token)) throw this.error(`expected ${what}`);
  }

  comparator(): Comparator | undefined {
    for (const op of ["<=", ">=", "!=", "=", "<", ">"] as const) if (this.accept(op)) return op;
    return undefined;
  }

  /** A quoted string, a %regex% or a bare word ending at whitespace or one of `stops`. */
  value(stops: string): PatternValue {
    this.skipSpace();
    const ch = this.text[this.pos];
    if (ch === '"') return { kind: "string", text: this.quoted() };
    if (ch === "%") return { kind: "regex", regex: compileRegex(this.delimited("%")) };
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] ?? "";
      if (/\s/.test(c) || stops.includes(c)) break;
      if (c === "&" && this.text[this.pos + 1] === "&") break;
      if (c === "|" && this.text[this.pos + 1] === "|") break;
      this.pos++;
    }
    const text = this.text.slice(start, this.pos);
    if (!text) throw this.error("expected a value");
    const n = parseNumber(text);
    return n === undefined ? { kind: "string", text } : { kind: "number", value: n, text };
  }

  /** Reads `"…"` with backslash escapes; returns the text between the quotes. */
  quoted(): string {
    this.skipSpace();
    if (this.text[this.pos] !== '"') throw this.error("expected a quoted string");
    this.pos++;
    let out = "";
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++] ?? "";
      if (c === "\\" && this.pos < this.text.length) out += this.text[this.pos++];
      else if (c === '"') return out;
      else out += c;
    }
    throw new FilterPatternError(`Unterminated quoted string in filter pattern: ${this.text}`);
  }

  /** Reads `<d>…<d>` (for %regex%); backslash keeps the next character (incl. an escaped delimiter). */
  delimited(delimiter: string): string {
    this.skipSpace();
    this.pos++;
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === "\\") this.pos += 2;
      else if (c === delimiter) {
        const inner = this.text.slice(start, this.pos);
        this.pos++;
        return inner;
      } else this.pos++;
    }
    throw new FilterPatternError(`Unterminated ${delimiter}…${delimiter} in filter pattern: ${this.text}`);
  }

  error(message: string): FilterPatternError {
    return new FilterPatternError(
      `Invalid filter pattern at position ${this.pos + 1}: ${message} in ${JSON.stringify(this.text)}`,
    );
  }
}
