import { createHash, randomBytes } from "node:crypto";

/**
 * The platform lines Lambda writes to a function's log stream in the Text log format
 * (aws-behaviour.md §4.3), field for field.
 */

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

export interface ReportFields {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  /** "timeout", or "error" with the error type, when the environment failed rather than the handler. */
  status?: { status: "timeout" } | { status: "error"; errorType: string };
}

export function reportLine(fields: ReportFields): string {
  const parts = [
    `REPORT RequestId: ${fields.requestId}`,
    `Duration: ${fields.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${fields.billedDurationMs} ms`,
    `Memory Size: ${fields.memorySizeMb} MB`,
    `Max Memory Used: ${fields.maxMemoryUsedMb} MB`,
  ];
  if (fields.initDurationMs !== undefined)
    parts.push(`Init Duration: ${fields.initDurationMs.toFixed(2)} ms`);
  if (fields.status) {
    parts.push(`Status: ${fields.status.status}`);
    if (fields.status.status === "error") parts.push(`Error Type: ${fields.status.errorType}`);
  }
  return parts.join("\t");
}

export function billedDuration(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

/** `INIT_START`, naming the runtime build the way Lambda does (a stable ARN per Node version). */
export function initStartLine(region: string, nodeVersion: string): string {
  const [major = "22"] = nodeVersion.replace(/^v/, "").split(".");
  const build = createHash("sha256").update(nodeVersion).digest("hex");
  return `INIT_START Runtime Version: nodejs:${major}.v${nodeVersion.replace(/^v/, "").split(".")[1] ?? "0"}\tRuntime Version ARN: arn:aws:lambda:${region}::runtime:${build}`;
}

export function initReportLine(durationMs: number, errorType: string, status: "error" | "timeout"): string {
  const parts = [
    `INIT_REPORT Init Duration: ${durationMs.toFixed(2)} ms`,
    "Phase: init",
    `Status: ${status}`,
  ];
  if (status === "error") parts.push(`Error Type: ${errorType}`);
  return parts.join("\t");
}

export function timeoutLine(requestId: string, at: Date, timeoutSeconds: number): string {
  return `${at.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

export function timeoutMessage(requestId: string, timeoutSeconds: number): string {
  return `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

export function exitMessage(requestId: string, code: number | null, signal: string | null): string {
  const how = signal ? `signal: ${signal === "SIGKILL" ? "killed" : signal}` : `exit status ${code ?? 1}`;
  return `RequestId: ${requestId} Error: Runtime exited with error: ${how}`;
}

/** `YYYY/MM/DD/[$LATEST]<32 hex>`: the UTC date the environment started and a random id. */
export function logStreamName(startedAt: number, version: string): string {
  const date = new Date(startedAt).toISOString().slice(0, 10).replace(/-/g, "/");
  return `${date}/[${version}]${randomBytes(16).toString("hex")}`;
}

/** The last `limit` bytes of an invocation's log, as LogType Tail returns them (base64). */
export function logTail(lines: string[], limit: number): string {
  const text = Buffer.from(lines.map((line) => `${line}\n`).join(""), "utf8");
  return (text.length > limit ? text.subarray(text.length - limit) : text).toString("base64");
}
