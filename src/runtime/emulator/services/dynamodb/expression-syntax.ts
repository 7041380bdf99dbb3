import { createRequire } from "node:module";
import { memoizedParser } from "./expression-parsers.js";
import { MAX_EXPRESSION_BYTES } from "./limits.js";

/**
 * Expression syntax errors as DynamoDB words them:
 *
 *   Invalid UpdateExpression: Syntax error; token: "<token>", near: "<context>"
 *
 * `token` is the lexical token the parser could not accept ("<EOF>" at the end of the text) and
 * `near` the source from the token before it to the token after it (AWS examples: `ADD hits : incr`
 * → token ":", near "hits : incr"; ConditionExpression `foo` → token "<EOF>", near "foo"; `!!!` →
 * token "!", near "!!"). dynalite's PEG parsers report where they failed, in their own words; the
 * emulator keeps the position and re-words the message with DynamoDB's lexer rules below.
 */

export type ExpressionKind = "Update" | "Condition" | "KeyCondition" | "Filter" | "Projection";

interface Token {
  text: string;
  start: number;
  end: number;
}

interface PegSyntaxError {
  name: string;
  found: string | null;
  location?: { start: { offset: number } };
}

interface PegParser {
  parse: (input: string, options?: unknown) => unknown;
}

/** The last syntax error dynalite's parsers threw (validation is synchronous: one at a time). */
let lastFailure: { source: string; offset: number; atEnd: boolean } | undefined;

const require = createRequire(import.meta.url);
for (const module of ["conditionParser", "updateParser", "projectionParser"] as const) {
  const parser = require(`dynalite/db/${module}`) as PegParser;
  // Linear-time copies of dynalite's parsers (expression-parsers.ts); dynalite's validations call
  // `parser.parse` on the module object, so replacing the member reaches them.
  const parse = memoizedParser(module).parse;
  parser.parse = (input, options) => {
    // DynamoDB measures each expression as sent (UTF-8 bytes, names and values not substituted)
    // before it parses it: 4,096 bytes pass, 4,097 do not.
    const size = Buffer.byteLength(input, "utf8");
    if (size > MAX_EXPRESSION_BYTES)
      throw new Error(
        `Expression size has exceeded the maximum allowed size; expression size: ${String(size)}`,
      );
    try {
      return parse(input, options);
    } catch (error) {
      // Only parentheses nested well over 800 deep exhaust the stack, and within 4 KB that depth
      // needs redundant ones (each level that is not redundant costs at least 5 bytes: `NOT(` and
      // `)`), which DynamoDB refuses in these words.
      if (error instanceof RangeError) throw new Error("The expression has redundant parentheses;");
      // dynalite keeps only the parser's message; the position is kept here on the way through.
      const failure = error as PegSyntaxError;
      if (failure?.name === "SyntaxError" && failure.location)
        lastFailure = { source: input, offset: failure.location.start.offset, atEnd: failure.found === null };
      throw error;
    }
  };
}

/** Forget the last failure before a new request is validated. */
export function resetSyntaxFailure(): void {
  lastFailure = undefined;
}

/**
 * DynamoDB's message for dynalite's "Invalid <Kind>Expression: Syntax error; …" message (the
 * expression may sit inside RequestItems or TransactItems), or undefined for any other message.
 */
export function rewordSyntaxError(message: string): string | undefined {
  const match = /^Invalid (Update|Condition|KeyCondition|Filter|Projection)Expression: Syntax error; /.exec(
    message,
  );
  if (!match || !lastFailure) return undefined;
  const kind = match[1] as ExpressionKind;
  return syntaxErrorMessage(kind, lastFailure.source, lastFailure.offset, lastFailure.atEnd);
}

export function syntaxErrorMessage(
  kind: ExpressionKind,
  source: string,
  offset: number,
  atEnd: boolean,
): string {
  const tokens = tokenize(source);
  let index = atEnd ? tokens.length : tokens.findIndex((t) => t.start <= offset && offset < t.end);
  // A failure in the blank after a token (a `:` with no name after it) belongs to that token.
  if (index < 0) {
    index = tokens.length;
    for (let i = tokens.length - 1; i >= 0; i--) {
      if ((tokens[i] as Token).end <= offset) {
        index = i;
        break;
      }
    }
    if (index === tokens.length && tokens.length > 0) index = 0;
  }
  // A `:` or `#` without a name is never valid; DynamoDB's lexer stops there even when dynalite's
  // parser read on past the blank that follows it.
  const lone = tokens.findIndex((t) => t.text === ":" || t.text === "#");
  if (lone >= 0 && lone < index) index = lone;
  const token = tokens[index];
  const before = index > 0 ? tokens[index - 1] : undefined;
  const after = tokens[index + 1];
  const from = (before ?? token)?.start ?? 0;
  const to = token ? (after ?? token).end : (before?.end ?? 0);
  const near = source.slice(from, to);
  return `Invalid ${kind}Expression: Syntax error; token: "${token ? token.text : "<EOF>"}", near: "${near}"`;
}

/** DynamoDB expression tokens: names, #names, :values, numbers, operators, one character otherwise. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z]/.test(c)) {
      while (i < source.length && /[A-Za-z0-9_]/.test(source.charAt(i))) i++;
    } else if ((c === "#" || c === ":") && /[A-Za-z0-9_]/.test(source.charAt(i + 1))) {
      i++;
      while (i < source.length && /[A-Za-z0-9_]/.test(source.charAt(i))) i++;
    } else if (/[0-9]/.test(c)) {
      while (i < source.length && /[0-9]/.test(source.charAt(i))) i++;
    } else if (["<=", ">=", "<>"].includes(source.slice(i, i + 2))) {
      i += 2;
    } else {
      i++;
    }
    tokens.push({ text: source.slice(start, i), start, end: i });
  }
  return tokens;
}
