import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import type { Clock, TimerHandle } from "../../../core/clock.js";
import { MALLOC_TUNING } from "../../../core/host-memory.js";
import { INIT_TIMEOUT_MS, MAX_RESPONSE_BYTES } from "../limits.js";
import type {
  FunctionSpec,
  InvocationRequest,
  InvocationResult,
  LogEvent,
  LogSink,
  LogStreamRef,
} from "./executor.js";
import {
  billedDuration,
  endLine,
  exitMessage,
  initReportLine,
  initStartLine,
  logStreamName,
  reportLine,
  startLine,
  timeoutLine,
  timeoutMessage,
  type ReportFields,
} from "./log-lines.js";
import { RuntimeApiServer, type RuntimeApiListener } from "./runtime-api.js";

export interface EnvironmentDeps {
  clock: Clock;
  logs: LogSink;
  /** The runtime program each process runs (runtime-bootstrap.js, or .ts from source). */
  bootstrap: string;
  reportError(error: unknown): void;
}

type EnvironmentState = "new" | "initializing" | "idle" | "busy" | "dead";

type Answer =
  | { kind: "response"; body: Buffer }
  | { kind: "error"; body: Buffer; errorType: string | undefined }
  | { kind: "timeout" }
  | { kind: "crash" };

type InitOutcome =
  | { ok: true; durationMs: number }
  | { ok: false; durationMs: number; errorType: string; payload: string; status: "error" | "timeout" };

interface ActiveInvocation {
  requestId: string;
  answer: Deferred<Answer>;
  /** Resolves when the runtime has written all of the invocation's output (or cannot any more). */
  outputDone: Deferred<void>;
  maxRssKb?: number;
}

/**
 * One execution environment: a Node process running the runtime bootstrap, its Runtime API
 * server, and its log stream. Initialised on its first invocation (cold start), then reused
 * (warm) until it is retired, crashes or times out.
 */
export class ExecutionEnvironment implements RuntimeApiListener {
  readonly generation: string;
  readonly streamName: string;
  private state: EnvironmentState = "new";
  private readonly api = new RuntimeApiServer(this);
  private child: ChildProcess | undefined;
  private init: Deferred<InitOutcome> | undefined;
  private initError: { body: Buffer; errorType: string | undefined } | undefined;
  private active: ActiveInvocation | undefined;
  private exit: { code: number | null; signal: string | null } | undefined;
  private readonly closed = new Deferred<void>();
  private pending: LogEvent[] = [];
  private tail: string[] | undefined;
  private lastMaxRssKb = 0;
  private readonly stream: LogStreamRef;

  constructor(
    spec: FunctionSpec,
    private readonly deps: EnvironmentDeps,
  ) {
    this.generation = spec.generation;
    this.streamName = logStreamName(deps.clock.now(), spec.version);
    this.stream = {
      accountId: spec.accountId,
      region: spec.region,
      groupName: spec.logGroupName,
      streamName: this.streamName,
    };
  }

  get alive(): boolean {
    return this.state !== "dead";
  }

  get busy(): boolean {
    return this.state === "busy" || this.state === "initializing";
  }

  async invoke(spec: FunctionSpec, request: InvocationRequest): Promise<InvocationResult> {
    if (this.state === "dead") throw new Error("This execution environment has stopped");
    this.tail = [];
    try {
      let initDurationMs: number | undefined;
      if (this.state === "new") {
        const init = await this.initialize(spec);
        initDurationMs = init.durationMs;
        if (!init.ok) return await this.initFailure(spec, request, init);
      }
      return await this.run(spec, request, initDurationMs);
    } finally {
      this.tail = undefined;
      if (this.state === "busy") this.state = "idle";
    }
  }

  /** Stops the process and the Runtime API server; remaining output is still written to the log. */
  async dispose(): Promise<void> {
    this.state = "dead";
    // Until the process is gone, its pipes keep the emulator's process alive (they are unref'd
    // while the environment idles), so a shutdown finishes before Node exits.
    this.child?.ref();
    for (const stream of [this.child?.stdout, this.child?.stderr, this.child?.stdio[3]]) {
      (stream as unknown as { ref?: () => void } | null | undefined)?.ref?.();
    }
    this.kill();
    this.active?.answer.resolve({ kind: "crash" });
    this.init?.resolve({
      ok: false,
      durationMs: 0,
      errorType: "Runtime.ExitError",
      payload: errorPayload("Runtime.ExitError", "The execution environment was stopped"),
      status: "error",
    });
    if (this.child) await this.closed.promise;
    await this.api.close();
    await this.flush();
  }

  // --- Runtime API -------------------------------------------------------------------------

  onNext(): void {
    if (this.state === "initializing") this.init?.resolve({ ok: true, durationMs: 0 });
  }

  onResponse(requestId: string, body: Buffer): boolean {
    if (this.active?.requestId !== requestId) return false;
    this.active.answer.resolve({ kind: "response", body });
    return true;
  }

  onError(requestId: string, body: Buffer, errorType: string | undefined): boolean {
    if (this.active?.requestId !== requestId) return false;
    this.active.answer.resolve({ kind: "error", body, errorType });
    return true;
  }

  onInitError(body: Buffer, errorType: string | undefined): void {
    this.initError = { body, errorType };
    this.kill();
  }

  // --- Phases ------------------------------------------------------------------------------

  private async initialize(spec: FunctionSpec): Promise<InitOutcome> {
    this.state = "initializing";
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    this.line(initStartLine(spec.region, process.version));
    let taskRoot: string;
    try {
      taskRoot = spec.taskRoot();
    } catch (error) {
      this.state = "dead";
      const message = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        durationMs: elapsed(),
        errorType: "Runtime.Unknown",
        payload: errorPayload("Runtime.Unknown", message),
        status: "error",
      };
    }
    const init = new Deferred<InitOutcome>();
    this.init = init;
    const address = await this.api.listen();
    this.spawnRuntime(spec, taskRoot, address);
    const timer = this.deps.clock.setTimeout(() => {
      init.resolve({
        ok: false,
        durationMs: elapsed(),
        errorType: "Sandbox.Timedout",
        payload: errorPayload(
          "Sandbox.Timedout",
          `Init phase did not finish within ${INIT_TIMEOUT_MS / 1000} seconds`,
        ),
        status: "timeout",
      });
    }, INIT_TIMEOUT_MS);
    const outcome = await init.promise;
    timer.cancel();
    this.init = undefined;
    if (outcome.ok) {
      this.state = "busy";
      return { ok: true, durationMs: elapsed() };
    }
    this.state = "dead";
    this.kill();
    await this.closed.promise;
    if (this.initError) {
      const { body, errorType } = this.initError;
      return {
        ok: false,
        durationMs: elapsed(),
        errorType: errorType ?? errorTypeOf(body) ?? "Runtime.Unknown",
        payload: body.toString("utf8"),
        status: "error",
      };
    }
    return outcome;
  }

  private async initFailure(
    spec: FunctionSpec,
    request: InvocationRequest,
    init: Extract<InitOutcome, { ok: false }>,
  ): Promise<InvocationResult> {
    const message =
      init.errorType === "Runtime.ExitError" && this.exit
        ? exitMessage(request.requestId, this.exit.code, this.exit.signal)
        : undefined;
    const payload = message ? errorPayload("Runtime.ExitError", message) : init.payload;
    this.line(initReportLine(init.durationMs, init.errorType, init.status));
    this.line(startLine(request.requestId, spec.version));
    this.line(endLine(request.requestId));
    const report: ReportFields = {
      requestId: request.requestId,
      durationMs: init.durationMs,
      billedDurationMs: billedDuration(init.durationMs),
      memorySizeMb: spec.memorySize,
      maxMemoryUsedMb: this.maxMemoryUsedMb(undefined),
      status:
        init.status === "timeout" ? { status: "timeout" } : { status: "error", errorType: init.errorType },
    };
    this.line(reportLine(report));
    const log = this.tail ?? [];
    await this.dispose();
    return {
      outcome: "init-error",
      payload,
      errorType: init.errorType,
      durationMs: init.durationMs,
      billedDurationMs: report.billedDurationMs,
      initDurationMs: init.durationMs,
      maxMemoryUsedMb: report.maxMemoryUsedMb,
      log,
    };
  }

  private async run(
    spec: FunctionSpec,
    request: InvocationRequest,
    initDurationMs: number | undefined,
  ): Promise<InvocationResult> {
    this.state = "busy";
    const { requestId } = request;
    const active: ActiveInvocation = { requestId, answer: new Deferred(), outputDone: new Deferred() };
    this.active = active;
    this.line(startLine(requestId, spec.version));
    const timeoutMs = spec.timeoutSeconds * 1000;
    const started = performance.now();
    const timer: TimerHandle = this.deps.clock.setTimeout(() => {
      active.answer.resolve({ kind: "timeout" });
      active.outputDone.resolve();
    }, timeoutMs);
    this.api.deliver({
      requestId,
      payload: request.payload,
      // The runtime compares the deadline with its own Date.now(), so it is on the machine's clock.
      deadlineMs: Date.now() + timeoutMs,
      invokedFunctionArn: request.invokedFunctionArn,
      traceId: traceId(this.deps.clock.now()),
      ...(request.clientContext ? { clientContext: request.clientContext } : {}),
    });
    const answer = await active.answer.promise;
    let durationMs = performance.now() - started;
    let outcome: InvocationResult["outcome"];
    let payload: string;
    let errorType: string | undefined;
    let status: ReportFields["status"];

    switch (answer.kind) {
      case "response":
      case "error":
        await active.outputDone.promise;
        if (answer.kind === "response" && answer.body.length <= MAX_RESPONSE_BYTES) {
          outcome = "success";
          payload = answer.body.toString("utf8");
        } else if (answer.kind === "response") {
          outcome = "error";
          errorType = "Function.ResponseSizeTooLarge";
          payload = errorPayload(
            errorType,
            `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
          );
        } else {
          outcome = "error";
          payload = answer.body.toString("utf8");
          errorType = answer.errorType ?? errorTypeOf(answer.body) ?? "Unhandled";
        }
        break;
      case "timeout": {
        durationMs = timeoutMs;
        const peak = this.peakRssKb();
        this.kill();
        await this.closed.promise;
        if (peak !== undefined) active.maxRssKb = peak;
        this.line(timeoutLine(requestId, new Date(this.deps.clock.now()), spec.timeoutSeconds));
        outcome = "timeout";
        errorType = "Sandbox.Timedout";
        payload = errorPayload(errorType, timeoutMessage(requestId, spec.timeoutSeconds));
        status = { status: "timeout" };
        break;
      }
      case "crash": {
        this.kill();
        await this.closed.promise;
        const message = exitMessage(requestId, this.exit?.code ?? null, this.exit?.signal ?? null);
        this.line(`${message}\nRuntime.ExitError`);
        outcome = "crash";
        errorType = "Runtime.ExitError";
        payload = errorPayload(errorType, message);
        status = { status: "error", errorType };
        break;
      }
    }
    timer.cancel();
    this.active = undefined;
    const billedDurationMs = billedDuration(durationMs);
    const maxMemoryUsedMb = this.maxMemoryUsedMb(active.maxRssKb);
    this.line(endLine(requestId));
    this.line(
      reportLine({
        requestId,
        durationMs,
        billedDurationMs,
        memorySizeMb: spec.memorySize,
        maxMemoryUsedMb,
        ...(initDurationMs !== undefined ? { initDurationMs } : {}),
        ...(status ? { status } : {}),
      }),
    );
    const log = this.tail ?? [];
    if (outcome === "timeout" || outcome === "crash") await this.dispose();
    else await this.flush();
    return {
      outcome,
      payload,
      ...(errorType ? { errorType } : {}),
      durationMs,
      billedDurationMs,
      ...(initDurationMs !== undefined ? { initDurationMs } : {}),
      maxMemoryUsedMb,
      log,
    };
  }

  // --- Process and output ------------------------------------------------------------------

  private spawnRuntime(spec: FunctionSpec, taskRoot: string, runtimeApi: string): void {
    const child = spawn(
      process.execPath,
      [
        // Like AWS's Node bootstrap: the V8 heap is sized from the function's memory.
        `--max-old-space-size=${Math.max(16, Math.floor(spec.memorySize * 0.9))}`,
        // Running from source (tests), the runtime is TypeScript: Node 22.18+ strips the types by
        // default; older Node 22 releases need the flag, and must not print its warning into the logs.
        ...(this.deps.bootstrap.endsWith(".ts")
          ? ["--experimental-strip-types", "--disable-warning=ExperimentalWarning"]
          : []),
        this.deps.bootstrap,
        // V8's code cache of this package, beside its extracted copy (shared by every environment
        // that runs the same package, whichever function it belongs to).
        `--compile-cache=${taskRoot}.compile-cache`,
      ],
      {
        cwd: taskRoot,
        env: {
          ...hostTuning(spec.environment),
          ...spec.environment,
          LAMBDA_TASK_ROOT: taskRoot,
          AWS_LAMBDA_RUNTIME_API: runtimeApi,
          AWS_LAMBDA_LOG_STREAM_NAME: this.streamName,
        },
        stdio: ["ignore", "pipe", "pipe", "pipe"],
        // Its own process group, so a timeout also stops whatever the function started.
        detached: process.platform !== "win32",
      },
    );
    this.child = child;
    child.on("error", (error) => {
      this.line(`Runtime failed to start: ${error.message}`);
      this.onExit(null, null);
      this.closed.resolve();
    });
    child.on("exit", (code, signal) => this.onExit(code, signal));
    child.on("close", () => {
      this.onExit(child.exitCode, child.signalCode);
      this.closed.resolve();
      this.active?.outputDone.resolve();
    });
    readLines(child.stdout, (line) => this.line(line));
    readLines(child.stderr, (line) => this.line(line));
    readLines(child.stdio[3] as Readable | null, (line) => this.onRuntimeRecord(line));
    // Neither the process nor its pipes may keep the emulator's own process alive.
    child.unref();
    for (const stream of [child.stdout, child.stderr, child.stdio[3]]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
  }

  private onExit(code: number | null, signal: string | null): void {
    if (!this.exit) this.exit = { code, signal };
    if (this.state !== "dead" && this.state !== "initializing") this.state = "dead";
    this.active?.answer.resolve({ kind: "crash" });
    this.init?.resolve({
      ok: false,
      durationMs: 0,
      errorType: "Runtime.ExitError",
      payload: errorPayload("Runtime.ExitError", "Runtime exited during initialisation"),
      status: "error",
    });
  }

  private onRuntimeRecord(text: string): void {
    let record: { m?: unknown; done?: unknown; maxRssKb?: unknown };
    try {
      record = JSON.parse(text) as typeof record;
    } catch {
      this.line(text);
      return;
    }
    if (typeof record.m === "string") this.line(record.m);
    if (typeof record.done === "string") {
      if (typeof record.maxRssKb === "number")
        this.lastMaxRssKb = Math.max(this.lastMaxRssKb, record.maxRssKb);
      if (this.active?.requestId === record.done) {
        this.active.maxRssKb = this.lastMaxRssKb;
        this.active.outputDone.resolve();
      }
    }
  }

  private kill(): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      if (process.platform !== "win32") process.kill(-child.pid, "SIGKILL");
      else child.kill("SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
  }

  /** Peak resident memory of the process (Linux), read before it is killed. */
  private peakRssKb(): number | undefined {
    const pid = this.child?.pid;
    if (pid === undefined) return undefined;
    try {
      const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      return match ? Number(match[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  private maxMemoryUsedMb(kb: number | undefined): number {
    const value = kb ?? this.peakRssKb() ?? this.lastMaxRssKb;
    return Math.max(1, Math.ceil(value / 1024));
  }

  private line(message: string): void {
    this.pending.push({ timestamp: this.deps.clock.now(), message });
    this.tail?.push(message);
    // Output between invocations (timers the function left running) is written straight away.
    if (this.state === "idle") void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    try {
      await this.deps.logs.write(this.stream, events);
    } catch (error) {
      this.deps.reportError(error);
    }
  }
}

class Deferred<T> {
  readonly promise: Promise<T>;
  private settle!: (value: T) => void;
  private done = false;

  constructor() {
    this.promise = new Promise<T>((resolve) => {
      this.settle = resolve;
    });
  }

  /** The first value wins. */
  resolve(value: T): void {
    if (this.done) return;
    this.done = true;
    this.settle(value);
  }
}

function readLines(stream: Readable | null | undefined, onLine: (line: string) => void): void {
  if (!stream) return;
  let partial = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
  stream.on("end", () => {
    if (partial) onLine(partial);
    partial = "";
  });
}

function errorPayload(errorType: string, errorMessage: string): string {
  return JSON.stringify({ errorType, errorMessage });
}

function errorTypeOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { errorType?: unknown };
    return typeof parsed.errorType === "string" ? parsed.errorType : undefined;
  } catch {
    return undefined;
  }
}

/** An X-Ray trace header, as Lambda passes one to every invocation. */
function traceId(now: number): string {
  const epoch = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, "0");
  return `Root=1-${epoch}-${randomBytes(12).toString("hex")};Parent=${randomBytes(8).toString("hex")};Sampled=0`;
}

/**
 * Host settings of a runtime process that are the emulator's, not the function's (core/host-memory.ts).
 * The bootstrap removes what RUNTIME_HOST_ENV names from process.env before the handler loads, so
 * the function sees only the variables AWS would give it; a function that sets one of them itself
 * keeps its own value.
 */
function hostTuning(environment: Record<string, string>): Record<string, string> {
  const names = Object.keys(MALLOC_TUNING).filter((name) => !(name in environment));
  if (process.platform !== "linux" || names.length === 0) return {};
  return {
    ...Object.fromEntries(names.map((name) => [name, MALLOC_TUNING[name] as string])),
    [RUNTIME_HOST_ENV]: names.join(","),
  };
}

/** Names (comma-separated) of the variables the bootstrap removes before loading the handler. */
const RUNTIME_HOST_ENV = "_PIPELINE_RUNTIME_HOST_ENV";
