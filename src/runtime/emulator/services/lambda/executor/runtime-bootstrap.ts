/**
 * The Node.js runtime of the emulator's Lambda execution environments: the program each
 * environment's process runs (`node runtime-bootstrap.js`, or the .ts under vitest, which Node runs
 * by stripping the types). It does what AWS's Node runtime does: loads the handler from
 * LAMBDA_TASK_ROOT, then loops on the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API (next event →
 * handler → response or error), with the context object and console lines in Lambda's Text format.
 *
 * It is a standalone program, not a module of the emulator: it must not import anything relative
 * (the .ts runs unbundled), and it is the one place in the emulator that exits a process, its own.
 *
 * Log records go to file descriptor 3 as JSON lines, one record per CloudWatch log event, so a
 * multi-line console message stays one event and the emulator knows when an invocation's output is
 * complete (the `done` record is written before the response is posted).
 */
import type * as Fs from "node:fs";
import type * as Http from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import * as nodeModule from "node:module";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { format } from "node:util";

// node:http and node:fs through require(), not import: importing a built-in as an ES module makes
// Node read all its exports, and the lazy ones load what they stand for (node:http's load Node's
// whole fetch implementation, node:fs's its streams), about 30 ms of CPU on every cold start,
// spent before the function's own code runs and whether or not that code needs them.
const builtin = nodeModule.createRequire(import.meta.url);
const { Agent, request } = builtin("node:http") as typeof Http;
const { existsSync, writeSync } = builtin("node:fs") as typeof Fs;

type Handler = (event: unknown, context: LambdaContext, callback: Callback) => unknown;
type Callback = (error?: unknown, result?: unknown) => void;

interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  clientContext?: unknown;
  identity?: unknown;
  getRemainingTimeInMillis(): number;
  done: Callback;
  succeed(result?: unknown): void;
  fail(error?: unknown): void;
}

interface ErrorDocument {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

class RuntimeError extends Error {
  readonly errorType: string;
  constructor(errorType: string, message: string) {
    super(message);
    this.errorType = errorType;
  }
}

// Host settings the emulator gave this process (environment.ts, hostTuning) are read by the C
// library at start; the function must not see them among its variables.
for (const name of (process.env["_PIPELINE_RUNTIME_HOST_ENV"] ?? "").split(",")) {
  if (name) delete process.env[name];
}
delete process.env["_PIPELINE_RUNTIME_HOST_ENV"];

const LOG_FD = 3;
const API = process.env["AWS_LAMBDA_RUNTIME_API"] ?? "";
const PREFIX = "/2018-06-01/runtime";
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const THIS_FILE = fileURLToPath(import.meta.url);

let currentRequestId: string | undefined;
let answered = true;

/** Ends this runtime process (never the emulator's): the environment is then gone, as on AWS. */
function terminate(code: number): never {
  // eslint-disable-next-line no-restricted-properties -- this file is the child process's main program
  process.exit(code);
}

// ---------------------------------------------------------------------------------------------
// Logging: console methods → `<ISO time>\t<request id>\t<LEVEL>\t<message>`; raw stdout/stderr
// writes (e.g. Powertools' own Console) → one event per line, unchanged.

function emit(record: Record<string, unknown>): void {
  const data = Buffer.from(`${JSON.stringify(record)}\n`, "utf8");
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(LOG_FD, data, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") continue;
      return;
    }
  }
}

function logLine(level: string, message: string): void {
  emit({ m: `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}` });
}

const CONSOLE_LEVELS: [keyof Console, string][] = [
  ["log", "INFO"],
  ["info", "INFO"],
  ["warn", "WARN"],
  ["error", "ERROR"],
  ["debug", "DEBUG"],
  ["trace", "TRACE"],
];
for (const [method, level] of CONSOLE_LEVELS) {
  (console as unknown as Record<string, unknown>)[method] = (...args: unknown[]) =>
    logLine(level, format(...args));
}

const partialLines = new Map<NodeJS.WriteStream, string>();
function captureStream(stream: NodeJS.WriteStream): void {
  partialLines.set(stream, "");
  const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
    const lines = ((partialLines.get(stream) ?? "") + text).split("\n");
    partialLines.set(stream, lines.pop() ?? "");
    for (const line of lines) emit({ m: line });
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") process.nextTick(done as () => void);
    return true;
  };
  stream.write = write as NodeJS.WriteStream["write"];
}
captureStream(process.stdout);
captureStream(process.stderr);

function flushPartialLines(): void {
  for (const [stream, partial] of partialLines) {
    if (partial) emit({ m: partial });
    partialLines.set(stream, "");
  }
}

function markDone(requestId: string): void {
  flushPartialLines();
  emit({ done: requestId, maxRssKb: process.resourceUsage().maxRSS });
}

// ---------------------------------------------------------------------------------------------
// The AWS SDK v3 is part of the Node runtimes on AWS; here it comes from the emulator's own
// installation when the deployment package does not bring it. Nothing else is provided, so a
// package that forgot a dependency fails here as it would on AWS.

// registerHooks arrived in Node 22.15; on older Node 22 releases the zip must bring the SDK itself.
nodeModule.registerHooks?.({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (
        specifier.startsWith("@aws-sdk/") &&
        (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")
      ) {
        return nextResolve(specifier, { ...context, parentURL: import.meta.url });
      }
      throw error;
    }
  },
});

// ---------------------------------------------------------------------------------------------
// Runtime API client

interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function call(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  return new Promise((resolvePromise, reject) => {
    const [host = "127.0.0.1", port = "80"] = API.split(":");
    const req = request(
      {
        host,
        port: Number(port),
        path: `${PREFIX}${path}`,
        method,
        agent,
        headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// ---------------------------------------------------------------------------------------------
// Errors as the Node runtime reports them

function toErrorDocument(error: unknown): ErrorDocument {
  if (error instanceof Error) {
    const errorType = error instanceof RuntimeError ? error.errorType : error.name || "Error";
    return { errorType, errorMessage: error.message, trace: (error.stack ?? "").split("\n") };
  }
  if (typeof error === "string") return { errorType: "string", errorMessage: error, trace: [] };
  let message: string;
  try {
    message = JSON.stringify(error) ?? String(error);
  } catch {
    message = String(error);
  }
  return { errorType: typeof error, errorMessage: message, trace: [] };
}

/** The log form of an error: the same document with `stack` instead of `trace`. */
function errorLogJson(doc: ErrorDocument): string {
  return JSON.stringify({ errorType: doc.errorType, errorMessage: doc.errorMessage, stack: doc.trace });
}

// ---------------------------------------------------------------------------------------------
// Loading the handler: "<dir/>module.export[.nested]" relative to LAMBDA_TASK_ROOT

async function loadHandler(): Promise<Handler> {
  const taskRoot = process.env["LAMBDA_TASK_ROOT"] ?? process.cwd();
  const handlerName = process.env["_HANDLER"] ?? "";
  const moduleAndExport = basename(handlerName);
  const dot = moduleAndExport.indexOf(".");
  if (dot <= 0 || dot === moduleAndExport.length - 1) {
    throw new RuntimeError("Runtime.MalformedHandlerName", `Bad handler ${handlerName}`);
  }
  const moduleName = moduleAndExport.slice(0, dot);
  const exportPath = moduleAndExport.slice(dot + 1).split(".");
  const base = resolve(taskRoot, dirname(handlerName), moduleName);
  const file = [`${base}.js`, `${base}.mjs`, `${base}.cjs`].find((candidate) => existsSync(candidate));
  if (!file) {
    throw new RuntimeError(
      "Runtime.ImportModuleError",
      `Error: Cannot find module '${moduleName}'\nRequire stack:\n- ${THIS_FILE}`,
    );
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new RuntimeError("Runtime.UserCodeSyntaxError", `${error.name}: ${error.message}`);
    }
    if (error instanceof Error && (error as NodeJS.ErrnoException).code?.includes("MODULE_NOT_FOUND")) {
      throw new RuntimeError("Runtime.ImportModuleError", `Error: ${error.message}`);
    }
    throw error;
  }
  const pick = (root: unknown) =>
    exportPath.reduce<unknown>(
      (value, key) =>
        (value && typeof value === "object") || typeof value === "function"
          ? (value as Record<string, unknown>)[key]
          : undefined,
      root,
    );
  const handler = pick(loaded) ?? pick(loaded["default"]);
  if (typeof handler !== "function") {
    throw new RuntimeError(
      "Runtime.HandlerNotFound",
      `${moduleName}.${exportPath.join(".")} is undefined or not exported`,
    );
  }
  return handler as Handler;
}

// ---------------------------------------------------------------------------------------------
// One invocation

function contextFor(requestId: string, headers: IncomingHttpHeaders): LambdaContext {
  const deadline = Number(headerOf(headers, "lambda-runtime-deadline-ms") ?? Date.now());
  const clientContext = headerOf(headers, "lambda-runtime-client-context");
  const context: LambdaContext = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env["AWS_LAMBDA_FUNCTION_NAME"] ?? "",
    functionVersion: process.env["AWS_LAMBDA_FUNCTION_VERSION"] ?? "$LATEST",
    invokedFunctionArn: headerOf(headers, "lambda-runtime-invoked-function-arn") ?? "",
    memoryLimitInMB: process.env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] ?? "128",
    awsRequestId: requestId,
    logGroupName: process.env["AWS_LAMBDA_LOG_GROUP_NAME"] ?? "",
    logStreamName: process.env["AWS_LAMBDA_LOG_STREAM_NAME"] ?? "",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    succeed: () => undefined,
    fail: () => undefined,
  };
  if (clientContext) {
    try {
      context.clientContext = JSON.parse(clientContext) as unknown;
    } catch {
      context.clientContext = clientContext;
    }
  }
  return context;
}

/**
 * Runs the handler: an async handler (or one returning a promise) settles with its promise; a
 * callback handler with its callback, after the event loop empties unless the handler set
 * callbackWaitsForEmptyEventLoop = false; a handler that does neither answers null once the
 * event loop is empty, as on AWS.
 */
function runHandler(handler: Handler, event: unknown, context: LambdaContext): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    let settled = false;
    const finish = (error: unknown, result: unknown) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolvePromise(result);
    };
    const callback: Callback = (error, result) => {
      if (context.callbackWaitsForEmptyEventLoop) process.once("beforeExit", () => finish(error, result));
      else finish(error, result);
    };
    context.done = callback;
    context.succeed = (result) => callback(null, result);
    context.fail = (error) => callback(error ?? "handled");
    let returned: unknown;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      finish(error ?? new Error("The handler threw a null or undefined value"), undefined);
      return;
    }
    if (returned && typeof (returned as Promise<unknown>).then === "function") {
      (returned as Promise<unknown>).then(
        (result) => finish(undefined, result),
        (error: unknown) =>
          finish(error ?? new Error("The handler rejected with a null or undefined value"), undefined),
      );
    } else if (handler.length < 3) {
      process.once("beforeExit", () => finish(undefined, returned ?? null));
    }
  });
}

async function postError(requestId: string, error: unknown, label: string): Promise<void> {
  const doc = toErrorDocument(error);
  logLine("ERROR", `${label} \t${errorLogJson(doc)}`);
  markDone(requestId);
  await call("POST", `/invocation/${encodeURIComponent(requestId)}/error`, JSON.stringify(doc), {
    "lambda-runtime-function-error-type": doc.errorType,
  });
}

async function invokeOnce(handler: Handler): Promise<void> {
  const next = await call("GET", "/invocation/next");
  const requestId = headerOf(next.headers, "lambda-runtime-aws-request-id") ?? "";
  const traceId = headerOf(next.headers, "lambda-runtime-trace-id");
  if (traceId) process.env["_X_AMZN_TRACE_ID"] = traceId;
  else delete process.env["_X_AMZN_TRACE_ID"];
  currentRequestId = requestId;
  answered = false;
  const text = next.body.toString("utf8");
  let event: unknown;
  try {
    event = JSON.parse(text === "" ? "{}" : text);
  } catch {
    event = text;
  }
  const context = contextFor(requestId, next.headers);
  try {
    const result = await runHandler(handler, event, context);
    let body: string;
    try {
      body = JSON.stringify(result === undefined ? null : result) ?? "null";
    } catch (error) {
      throw new RuntimeError(
        "Runtime.SerializationError",
        `Unable to stringify response body: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (answered) return;
    answered = true;
    markDone(requestId);
    await call("POST", `/invocation/${encodeURIComponent(requestId)}/response`, body);
  } catch (error) {
    if (answered) return;
    answered = true;
    await postError(requestId, error, "Invoke Error");
  }
}

/** An error nobody catches ends the environment, as on AWS; the invocation in progress fails with it. */
function failFatally(error: unknown, label: string, errorType?: string): void {
  const doc = toErrorDocument(error);
  if (errorType) doc.errorType = errorType;
  const requestId = currentRequestId;
  if (requestId && !answered) {
    answered = true;
    logLine("ERROR", `${label} \t${errorLogJson(doc)}`);
    markDone(requestId);
    call("POST", `/invocation/${encodeURIComponent(requestId)}/error`, JSON.stringify(doc), {
      "lambda-runtime-function-error-type": doc.errorType,
    }).finally(() => terminate(129));
  } else {
    logLine("ERROR", `${label} \t${errorLogJson(doc)}`);
    terminate(129);
  }
}

process.on("uncaughtException", (error) => failFatally(error, "Uncaught Exception"));
process.on("unhandledRejection", (reason) => {
  const error =
    reason instanceof Error
      ? reason
      : new Error(`Unhandled promise rejection: ${typeof reason === "string" ? reason : format(reason)}`);
  failFatally(error, "Unhandled Promise Rejection", "Runtime.UnhandledPromiseRejection");
});

/**
 * V8's code cache for the function's code, in a folder the emulator names (`--compile-cache=DIR`):
 * every execution environment of the same package (a function's concurrent environments, the
 * -test copy's) would otherwise parse and compile the same bundle again on each cold start. It
 * is flushed after the first invocation, so the cache also holds the functions that invocation
 * compiled, not only the module's top level. Node keys entries by file and content hash; a
 * changed package gets new entries. Only timing changes: the function sees the same code.
 */
const COMPILE_CACHE_FLAG = "--compile-cache=";
const compileCacheDir = process.argv
  .find((arg) => arg.startsWith(COMPILE_CACHE_FLAG))
  ?.slice(COMPILE_CACHE_FLAG.length);
let compileCacheFlushed = compileCacheDir === undefined;

function enableCompileCache(): void {
  if (compileCacheDir === undefined) return;
  try {
    nodeModule.enableCompileCache?.(compileCacheDir);
  } catch {
    // No cache is slower, never wrong.
    compileCacheFlushed = true;
  }
}

function flushCompileCache(): void {
  if (compileCacheFlushed) return;
  compileCacheFlushed = true;
  try {
    nodeModule.flushCompileCache?.();
  } catch {
    // as above
  }
}

async function main(): Promise<void> {
  let handler: Handler;
  try {
    enableCompileCache();
    handler = await loadHandler();
  } catch (error) {
    const doc = toErrorDocument(error);
    logLine("ERROR", `Uncaught Exception \t${errorLogJson(doc)}`);
    await call("POST", "/init/error", JSON.stringify(doc), {
      "lambda-runtime-function-error-type": doc.errorType,
    });
    terminate(1);
  }
  for (;;) {
    await invokeOnce(handler);
    flushCompileCache();
  }
}

main().catch(() => {
  // The Runtime API is gone: the emulator stopped this environment or exited.
  terminate(0);
});
