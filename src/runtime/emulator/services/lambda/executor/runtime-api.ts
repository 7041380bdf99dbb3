import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** An event handed to the runtime on `GET /runtime/invocation/next`. */
export interface RuntimeEvent {
  requestId: string;
  payload: string;
  /** Epoch ms (machine clock: the runtime compares it with its own Date.now()). */
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string;
  clientContext?: string;
}

/** What the runtime reports back; the execution environment decides what it means. */
export interface RuntimeApiListener {
  /** The runtime asked for an event (on the first call: initialisation is over). */
  onNext(): void;
  /** false when the request id is not the invocation in progress. */
  onResponse(requestId: string, body: Buffer): boolean;
  onError(requestId: string, body: Buffer, errorType: string | undefined): boolean;
  onInitError(body: Buffer, errorType: string | undefined): void;
}

const PREFIX = "/2018-06-01/runtime";
const INVOCATION = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;
/** Bodies beyond this are refused; the environment turns an oversized response into Function.ResponseSizeTooLarge. */
const MAX_BODY_BYTES = 20 * 1024 * 1024;

/**
 * The Lambda Runtime API (2018-06-01) for one execution environment, on its own 127.0.0.1 port:
 * what AWS_LAMBDA_RUNTIME_API points at. The runtime long-polls `next`; the emulator answers it
 * when an invocation is dispatched.
 */
export class RuntimeApiServer {
  private server: Server | undefined;
  private waiting: ServerResponse | undefined;
  private queued: RuntimeEvent | undefined;

  constructor(private readonly listener: RuntimeApiListener) {}

  /** Starts listening; returns the `host:port` for AWS_LAMBDA_RUNTIME_API. */
  async listen(): Promise<string> {
    const server = createServer((req, res) => {
      this.serve(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    // The runtime's long poll for the next event may wait for as long as the environment is idle.
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    server.keepAliveTimeout = 0;
    server.timeout = 0;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.unref();
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Hands an event to the runtime now if it is waiting, else on its next poll. */
  deliver(event: RuntimeEvent): void {
    const waiting = this.waiting;
    if (waiting && !waiting.destroyed) {
      this.waiting = undefined;
      sendEvent(waiting, event);
    } else {
      this.waiting = undefined;
      this.queued = event;
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.waiting?.destroy();
    this.waiting = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://runtime.local").pathname;
    const body = await readBody(req);
    if (body === undefined)
      return reply(res, 413, { errorType: "RequestTooLarge", errorMessage: "Payload too large" });
    if (req.method === "GET" && path === `${PREFIX}/invocation/next`) {
      const queued = this.queued;
      this.queued = undefined;
      if (queued) sendEvent(res, queued);
      else this.waiting = res;
      this.listener.onNext();
      return;
    }
    const errorType = header(req, "lambda-runtime-function-error-type");
    if (req.method === "POST" && path === `${PREFIX}/init/error`) {
      this.listener.onInitError(body, errorType);
      return reply(res, 202, { status: "OK" });
    }
    const invocation = INVOCATION.exec(path);
    if (req.method === "POST" && invocation) {
      const requestId = decodeURIComponent(invocation[1] ?? "");
      const known =
        invocation[2] === "response"
          ? this.listener.onResponse(requestId, body)
          : this.listener.onError(requestId, body, errorType);
      if (!known) {
        return reply(res, 400, { errorType: "InvalidRequestID", errorMessage: "Invalid request ID" });
      }
      return reply(res, 202, { status: "OK" });
    }
    reply(res, 404, { errorType: "NotFound", errorMessage: `No route ${req.method ?? ""} ${path}` });
  }
}

function sendEvent(res: ServerResponse, event: RuntimeEvent): void {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "lambda-runtime-aws-request-id": event.requestId,
    "lambda-runtime-deadline-ms": String(event.deadlineMs),
    "lambda-runtime-invoked-function-arn": event.invokedFunctionArn,
    "lambda-runtime-trace-id": event.traceId,
  };
  if (event.clientContext) headers["lambda-runtime-client-context"] = event.clientContext;
  res.writeHead(200, headers);
  res.end(event.payload);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
