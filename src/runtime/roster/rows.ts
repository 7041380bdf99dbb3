import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parse as parseCsv } from "csv-parse";
import { OperatorError } from "../config/errors.js";

/**
 * Reading a roster file as rows, streaming: CSV with a header row (csv-parse: RFC 4180 quoting,
 * a BOM, CRLF), JSONL (one object per line) and a JSON array. A row carries the line it starts on,
 * so every problem can name it. Whole-file problems (empty, binary, no usable header, JSON that
 * does not parse) are a RosterFileError; a row that cannot be read (bad CSV quoting, a bad JSONL
 * line) is a row with a `problem`, so the other rows are still checked and every problem reported.
 */

export const ROSTER_FORMATS = ["csv", "json", "jsonl"] as const;
export type RosterFormat = (typeof ROSTER_FORMATS)[number];

export interface RawRow {
  /** 1-based line the row starts on. */
  line: number;
  fields?: Record<string, unknown>;
  /** Why the row could not be read at all. */
  problem?: string;
}

export class RosterFileError extends OperatorError {
  override readonly name = "RosterFileError";
}

/** The format a file name says (.csv, .json, .jsonl / .ndjson), or undefined. */
export function formatOfName(name: string): RosterFormat | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".json")) return "json";
  return undefined;
}

/** The format the content says: a JSON array, JSON objects one per line, else CSV. */
export function formatOfContent(head: string): RosterFormat {
  const first = head.replace(/^\uFEFF/, "").trimStart()[0];
  if (first === "[") return "json";
  if (first === "{") return "jsonl";
  return "csv";
}

/**
 * The stream's chunks, refusing binary content (a NUL byte, or bytes that are not UTF-8) in the
 * first 64 KiB before any row is read: a spreadsheet saved as .xlsx or a zip is named for what it is.
 */
async function* textChunks(input: AsyncIterable<Buffer | string>, what: string): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let checked = 0;
  let any = false;
  for await (const raw of input) {
    const chunk = typeof raw === "string" ? Buffer.from(raw) : raw;
    if (checked < 65_536 && chunk.subarray(0, 65_536 - checked).includes(0)) {
      throw new RosterFileError(
        `${what} is not a text file (it holds NUL bytes): give a CSV, JSON or JSONL file (a spreadsheet: save it as CSV)`,
      );
    }
    checked += chunk.length;
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new RosterFileError(
        `${what} is not UTF-8 text: save it as UTF-8 CSV, JSON or JSONL (spreadsheets offer "CSV UTF-8")`,
      );
    }
    if (text.length > 0) any = true;
    yield text;
  }
  if (!any)
    throw new RosterFileError(`${what} is empty: a roster file needs a header row and one row per person`);
}

/** Peeks at the start of a text stream to tell its format, giving back a stream of everything. */
async function sniff(
  text: AsyncIterable<string>,
  what: string,
): Promise<{ format: RosterFormat; text: AsyncIterable<string> }> {
  const iterator = text[Symbol.asyncIterator]();
  const seen: string[] = [];
  let head = "";
  while (head.replace(/^\uFEFF/, "").trim() === "") {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(next.value);
    head += next.value;
  }
  if (head.replace(/^\uFEFF/, "").trim() === "")
    throw new RosterFileError(`${what} is empty: a roster file needs a header row and one row per person`);
  async function* replay(): AsyncGenerator<string> {
    yield* seen;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { format: formatOfContent(head), text: replay() };
}

export interface RowSource {
  format: RosterFormat;
  rows: AsyncGenerator<RawRow>;
}

/**
 * The rows of a roster stream. The format is the one given, else the one the content shows (a
 * JSON array, JSON objects one per line, else CSV). `mapHeader` turns a CSV header into field
 * names and names what is wrong with it; any problem there stops the file at line 1.
 */
export async function readRows(
  chunks: AsyncIterable<Buffer | string>,
  format: RosterFormat | undefined,
  what: string,
  mapHeader: HeaderMapper,
): Promise<RowSource> {
  const sniffed = await sniff(textChunks(chunks, what), what);
  const chosen = format ?? sniffed.format;
  const rows =
    chosen === "csv"
      ? csvRows(sniffed.text, what, mapHeader)
      : chosen === "jsonl"
        ? jsonlRows(sniffed.text)
        : jsonArrayRows(sniffed.text, what);
  return { format: chosen, rows };
}

/** Canonical field names for a CSV header, and what is wrong with it (unknown or missing columns). */
export type HeaderMapper = (columns: string[]) => { columns: string[]; problems: string[] };

async function* csvRows(
  text: AsyncIterable<string>,
  what: string,
  mapHeader: HeaderMapper,
): AsyncGenerator<RawRow> {
  const skipped: RawRow[] = [];
  const parser = parseCsv({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    info: true,
    raw: true,
    // A row csv-parse cannot read (a stray quote, a wrong number of fields) is reported by line
    // and the rest of the file is still read, so one run lists every problem.
    skip_records_with_error: true,
    on_skip: (error) => {
      const line = (error as { lines?: number } | undefined)?.lines ?? 0;
      if (skipped.some((row) => row.line === line)) return undefined;
      skipped.push({ line, problem: csvProblem(error) });
      return undefined;
    },
    columns: (header: string[]) => {
      const mapped = mapHeader(header);
      if (mapped.problems.length > 0)
        throw new RosterFileError(`${what}, line 1 (header): ${mapped.problems.join("; ")}`);
      return mapped.columns;
    },
  });
  // The text flows into the parser with back-pressure; a header problem or a parse error ends both.
  const source = Readable.from(lfOnly(text), { objectMode: false });
  const feeding = pipeline(source, parser).catch(() => {
    // The parser's own iteration below reports the error.
  });
  try {
    for await (const out of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
      raw: string;
    }>) {
      while (skipped.length > 0) yield skipped.shift()!;
      // The raw text may start with skipped blank lines and ends with its delimiter: neither counts.
      const inner = out.raw.replace(/^\n+/, "").replace(/\n$/, "");
      const newlines = (inner.match(/\n/g) ?? []).length;
      yield { line: out.info.lines - newlines, fields: out.record };
    }
  } catch (error) {
    if (error instanceof RosterFileError) throw error;
    throw new RosterFileError(`${what} is not readable as CSV: ${(error as Error).message}`);
  } finally {
    source.destroy();
    await feeding;
  }
  while (skipped.length > 0) yield skipped.shift()!;
}

/**
 * CRLF (and lone CR) line ends as LF, so csv-parse counts lines one way whatever wrote the file; a
 * CR at the end of a chunk waits for the next one in case it is half of a CRLF.
 */
async function* lfOnly(text: AsyncIterable<string>): AsyncGenerator<string> {
  let held = "";
  for await (const chunk of text) {
    let value = held + chunk;
    held = "";
    if (value.endsWith("\r")) {
      held = "\r";
      value = value.slice(0, -1);
    }
    yield value.replace(/\r\n?/g, "\n");
  }
  if (held) yield "\n";
}

function csvProblem(error: unknown): string {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === "CSV_RECORD_INCONSISTENT_COLUMNS" || code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH")
    return "wrong number of fields for the header (a comma in a value needs the value in double quotes)";
  if (
    code === "CSV_INVALID_CLOSING_QUOTE" ||
    code === "CSV_QUOTE_NOT_CLOSED" ||
    code === "INVALID_OPENING_QUOTE"
  )
    return 'bad quoting: a value with a quote must be wrapped in double quotes and its quotes doubled ("")';
  const message = (error as Error | undefined)?.message ?? "unreadable row";
  return message.replace(/\s+/g, " ");
}

async function* lines(text: AsyncIterable<string>): AsyncGenerator<{ line: number; text: string }> {
  let buffer = "";
  let line = 0;
  for await (const chunk of text) {
    buffer += chunk;
    let at: number;
    while ((at = buffer.indexOf("\n")) >= 0) {
      line += 1;
      yield { line, text: buffer.slice(0, at).replace(/\r$/, "") };
      buffer = buffer.slice(at + 1);
    }
  }
  if (buffer !== "") yield { line: line + 1, text: buffer.replace(/\r$/, "") };
}

async function* jsonlRows(text: AsyncIterable<string>): AsyncGenerator<RawRow> {
  for await (const { line, text: raw } of lines(text)) {
    const value = raw.replace(/^\uFEFF/, "").trim();
    if (value === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      yield { line, problem: `not valid JSON (${(error as Error).message})` };
      continue;
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      yield { line, problem: "expected a JSON object (one person per line)" };
      continue;
    }
    yield { line, fields: parsed as Record<string, unknown> };
  }
}

/**
 * A JSON array of objects. It is parsed whole (JSON arrays of rosters are small; use CSV or JSONL
 * for large ones, which stream), and each element's line is found by scanning the text.
 */
async function* jsonArrayRows(text: AsyncIterable<string>, what: string): AsyncGenerator<RawRow> {
  let all = "";
  for await (const chunk of text) all += chunk;
  all = all.replace(/^\uFEFF/, "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(all);
  } catch (error) {
    throw new RosterFileError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed))
    throw new RosterFileError(`${what}: expected a JSON array of people ([{"name": ...}, ...])`);
  const starts = elementLines(all);
  for (const [i, element] of parsed.entries()) {
    const line = starts[i] ?? 1;
    if (element === null || typeof element !== "object" || Array.isArray(element)) {
      yield { line, problem: `element ${i + 1} is not a JSON object` };
      continue;
    }
    yield { line, fields: element as Record<string, unknown> };
  }
}

/** The line each top-level element of a JSON array starts on. */
export function elementLines(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  let escaped = false;
  let expecting = false;
  for (const ch of text) {
    if (ch === "\n") line += 1;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === "[" || ch === "{") {
      if (depth === 1 && expecting) {
        starts.push(line);
        expecting = false;
      }
      depth += 1;
      if (depth === 1) expecting = true;
      continue;
    }
    if (ch === "]" || ch === "}") {
      depth -= 1;
      continue;
    }
    if (depth === 1 && ch === ",") {
      expecting = true;
      continue;
    }
    if (depth === 1 && expecting && !/\s/.test(ch)) {
      starts.push(line);
      expecting = false;
      if (ch === '"') inString = true;
      continue;
    }
    if (ch === '"') inString = true;
  }
  return starts;
}

/** A file (or stdin for "-") as chunks. */
export function openInput(path: string, stdin: Readable): AsyncIterable<Buffer | string> {
  return path === "-" ? stdin : createReadStream(path);
}
