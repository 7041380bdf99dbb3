/**
 * What a Lambda log line says, in one short line: its level and its message with the cause. Lambda
 * log groups hold three shapes, and a reader wants the same thing from each:
 * - structured JSON lines (Powertools' logger, or Lambda's JSON log format): `level`, `message`, and
 *   the error, reason or errorMessage that carries the cause;
 * - the Node runtime's text lines, `<time>\t<request id>\t<LEVEL>\t<text>`, where an uncaught error
 *   reads `Invoke Error \t{"errorType":...,"errorMessage":...}`;
 * - the platform's own lines (START, END, REPORT, INIT_START), which have no level.
 */
export interface LogDigest {
  /** ERROR, WARN, INFO, DEBUG ...; undefined for platform lines and plain text. */
  level: string | undefined;
  /** The message, with its cause appended when the line carries one; whitespace collapsed. */
  text: string;
}

const RUNTIME_LINE =
  /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\t[0-9a-f-]{8,}\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t([\s\S]*)$/;

type Json = Record<string, unknown>;

function parseObject(text: string): Json | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Json)
      : undefined;
  } catch {
    return undefined;
  }
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

/** The error an object carries: "Type: message" from an error object, or the text of a string field. */
function causeOf(record: Json): string | undefined {
  const error = record["error"] ?? record["errorMessage"] ?? record["reason"] ?? record["cause"];
  if (typeof error === "string") {
    const type = typeof record["errorType"] === "string" ? `${record["errorType"]}: ` : "";
    return `${type}${error}`;
  }
  if (error !== null && typeof error === "object") {
    const { name, message } = error as { name?: unknown; message?: unknown };
    if (typeof message === "string")
      return typeof name === "string" && name ? `${name}: ${message}` : message;
  }
  return undefined;
}

function join(message: string, cause: string | undefined): string {
  if (!cause) return oneLine(message);
  if (!message) return oneLine(cause);
  // The cause often repeats the message's own words ("failed: failed ..."): keep one.
  return oneLine(cause.startsWith(message) ? cause : `${message}: ${cause}`);
}

export function digestLogMessage(raw: string): LogDigest {
  const runtime = RUNTIME_LINE.exec(raw.trim());
  if (runtime) {
    const level = runtime[1]!;
    const rest = runtime[2]!;
    // "Invoke Error \t{...}": the text before the JSON, then the error the JSON names.
    const brace = rest.indexOf("{");
    const record = brace >= 0 ? parseObject(rest.slice(brace)) : undefined;
    if (record) return { level, text: join(rest.slice(0, brace).trim(), causeOf(record)) };
    return { level, text: oneLine(rest) };
  }
  const record = parseObject(raw);
  if (record) {
    const level = typeof record["level"] === "string" ? record["level"].toUpperCase() : undefined;
    const message = typeof record["message"] === "string" ? record["message"] : "";
    return { level, text: join(message, causeOf(record)) || oneLine(raw) };
  }
  return { level: undefined, text: oneLine(raw) };
}

/**
 * Shortens text to `width` characters keeping a third of its start and two thirds of its end: a
 * chained error message puts the root cause last ("... failed: network error: fetch failed
 * (ECONNREFUSED) (gave up after 5 attempts)").
 */
export function fitMiddle(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, width);
  const head = Math.floor((width - 1) / 3);
  const tail = width - 1 - head;
  return `${text.slice(0, head)}…${text.slice(text.length - tail)}`;
}
