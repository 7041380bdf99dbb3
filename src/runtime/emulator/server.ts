import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CredentialStatus } from "./core/credentials.js";
import { ServiceError } from "./core/errors.js";
import { credentialRefusal, gatewayRefusal } from "./core/gateway-checks.js";
import { newRequestContext, type EmulatorRequest, type EmulatorResponse } from "./core/request.js";
import type { ServiceModule, ServiceName } from "./core/service.js";
import { toServiceError } from "./protocol/json.js";
import { describeOperation, identifyService } from "./router.js";

/** Requests larger than this are refused (Lambda's 6 MB payload plus a generous zip upload). */
const MAX_BODY_BYTES = 80 * 1024 * 1024;

export interface GatewayOptions {
  host: string;
  port: number;
  defaultRegion: string;
  defaultAccountId: string;
  services: () => ReadonlyMap<ServiceName, ServiceModule>;
  health: () => object;
  /** How the request's access key stands among the credentials the emulator issued. */
  identify?: (accessKeyId: string | undefined) => CredentialStatus;
  onError: (error: unknown) => void;
  /**
   * Resolves when the services may take requests: after start-up (background work started once
   * the gateway listens) and after a state reset. Health and readiness probes never wait for it.
   */
  ready?: () => Promise<void>;
  /**
   * Empties the named services' state (all when undefined): `POST /_emulator/reset`. Throws
   * ResetRefusedError for a name it cannot reset (answered 400).
   */
  reset?: (services: string[] | undefined) => Promise<object>;
  /** Told of every answered request (`emulator start --log-requests`). */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** One answered request, as the request log prints it. */
export interface RequestLogEntry {
  method: string;
  /** The AWS service it was routed to; "emulator" for the emulator's own endpoints, "-" when unknown. */
  service: string;
  operation: string;
  status: number;
  ms: number;
}

/** A reset asked for a service this emulator cannot reset (unknown, or not running here). */
export class ResetRefusedError extends Error {
  override readonly name = "ResetRefusedError";
}

/** The HTTP front door: reads the request, routes it to a service, writes the answer. */
export class Gateway {
  private server: Server | undefined;
  private startedAt = "";
  /** Service requests past the ready gate and not answered yet (a reset waits for them). */
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly options: GatewayOptions) {}

  async listen(): Promise<number> {
    const server = createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        this.options.onError(error);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "internal error" }));
      });
    });
    // Long polls (SQS WaitTimeSeconds up to 20 s) must not be cut by Node's default timeouts.
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.keepAliveTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.startedAt = new Date().toISOString();
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /**
   * Resolves once no service request is running (or after `timeoutMs`, so a request that never
   * ends cannot hold a reset forever).
   */
  drained(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idle = this.idle.filter((waiter) => waiter !== done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.idle.push(done);
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const began = performance.now();
    const body = await readBody(req);
    if (body === undefined) {
      writeResponse(res, { status: 413, body: JSON.stringify({ message: "Request entity too large" }) });
      return;
    }
    const url = new URL(req.url ?? "/", "http://emulator.local");
    const headers: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      headers[key.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
    }
    const request: EmulatorRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers,
      body,
      context: newRequestContext(headers, url.searchParams, {
        region: this.options.defaultRegion,
        accountId: this.options.defaultAccountId,
      }),
    };
    // Keys the emulator issued (IAM users', STS sessions) carry their own account and identity.
    const issued = this.options.identify?.(request.context.accessKeyId);
    if (issued?.state === "valid") {
      request.context.accountId = issued.credentials.caller.accountId;
      request.context.caller = issued.credentials.caller;
    }
    const response = await this.route(request);
    writeResponse(res, response);
    if (this.options.onRequest) {
      const own = request.path.startsWith("/_emulator/") || request.path.startsWith("/_localstack/");
      this.options.onRequest({
        method: request.method,
        service: own ? "emulator" : (identifyService(request) ?? "-"),
        operation: own ? request.path : describeOperation(request),
        status: response.status,
        ms: Math.round(performance.now() - began),
      });
    }
  }

  private async route(request: EmulatorRequest): Promise<EmulatorResponse> {
    if (request.path === "/_emulator/health" || request.path === "/_localstack/health") {
      // pid and start time let `pipeline emulator status` describe an emulator it did not start.
      return jsonOk({ ...this.options.health(), pid: process.pid, startedAt: this.startedAt });
    }
    const init = /^\/_localstack\/init(?:\/([a-z]+))?$/i.exec(request.path);
    if (init) return localstackInit(init[1]);
    await this.options.ready?.();
    const reset = resetTarget(request);
    if (reset) return this.reset(request, reset);
    this.inFlight++;
    try {
      return await this.routeToService(request);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const waiter of [...this.idle]) waiter();
    }
  }

  /** `POST /_emulator/reset[?services=sqs,dynamodb]` and LocalStack's `/_localstack/state/[<service>/]reset`. */
  private async reset(request: EmulatorRequest, target: ResetTarget): Promise<EmulatorResponse> {
    if (request.method !== "POST") {
      return {
        status: 405,
        headers: { "content-type": "application/json", allow: "POST" },
        body: JSON.stringify({ message: `${request.path} takes POST (it empties the emulator's state)` }),
      };
    }
    if (!this.options.reset) return notFound(`No emulator endpoint ${request.path}`);
    try {
      return jsonOk(await this.options.reset(target.services));
    } catch (error) {
      if (!(error instanceof ResetRefusedError)) throw error;
      return {
        status: 400,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ __type: "ValidationException", message: error.message }),
      };
    }
  }

  private async routeToService(request: EmulatorRequest): Promise<EmulatorResponse> {
    const services = this.options.services();
    const dev = /^\/_emulator\/([a-z]+)(\/.*)?$/.exec(request.path);
    if (dev) {
      const module = services.get(dev[1] as ServiceName);
      const answer = module?.devHandle ? await module.devHandle(request, dev[2] ?? "/") : undefined;
      return answer ?? notFound(`No emulator endpoint ${request.path}`);
    }
    const name = identifyService(request);
    const module = name ? services.get(name) : undefined;
    if (!module) {
      return notFound(
        name
          ? `Service ${name} is not enabled in this emulator`
          : "The emulator could not tell which AWS service this request is for (no X-Amz-Target, Action or known path)",
      );
    }
    // Credentials and nesting, checked as AWS's front ends do before the service sees the request.
    const refused = gatewayRefusal(request, name!);
    if (refused) return refused;
    const issued = this.options.identify?.(request.context.accessKeyId);
    if (issued?.state === "expired" || issued?.state === "invalid") {
      return credentialRefusal(request, name!, issued.state);
    }
    try {
      return await module.handle(request);
    } catch (error) {
      // Services render their own protocol errors; anything that escapes is a bug, answered as 500.
      this.options.onError(error);
      const e = error instanceof ServiceError ? error : toServiceError(error);
      return {
        status: e.status,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ __type: e.code, message: e.message }),
      };
    }
  }
}

interface ResetTarget {
  /** undefined: every service. */
  services: string[] | undefined;
}

function resetTarget(request: EmulatorRequest): ResetTarget | undefined {
  if (request.path === "/_emulator/reset") {
    const given = request.query.getAll("services");
    if (given.length === 0) return { services: undefined };
    return { services: given.flatMap((value) => value.split(",")).map((name) => name.trim()) };
  }
  // LocalStack's state reset (its internal endpoints): all services, or one.
  if (request.path === "/_localstack/state/reset") return { services: undefined };
  const one = /^\/_localstack\/state\/([^/]+)\/reset$/.exec(request.path);
  return one ? { services: [decodeURIComponent(one[1] ?? "")] } : undefined;
}

function jsonOk(body: object): EmulatorResponse {
  return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/**
 * LocalStack's init-hook status (GET /_localstack/init[/<stage>]), so tools that wait for LocalStack
 * ("health answers and the READY hooks completed") work against the emulator unchanged. The emulator
 * has no hook scripts: every stage but SHUTDOWN has completed once it answers.
 */
const INIT_STAGES = ["BOOT", "START", "READY", "SHUTDOWN"] as const;

function localstackInit(stage: string | undefined): EmulatorResponse {
  const completed = (name: string) => name !== "SHUTDOWN";
  if (stage === undefined) {
    return jsonOk({
      completed: Object.fromEntries(INIT_STAGES.map((name) => [name, completed(name)])),
      scripts: [],
    });
  }
  const name = stage.toUpperCase();
  if (!(INIT_STAGES as readonly string[]).includes(name)) {
    return {
      status: 404,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: `no such stage ${stage}` }),
    };
  }
  return jsonOk({ completed: completed(name), scripts: [] });
}

function notFound(message: string): EmulatorResponse {
  return {
    status: 404,
    headers: { "content-type": "application/json", "x-amzn-errortype": "UnknownServiceException" },
    body: JSON.stringify({ __type: "UnknownServiceException", message }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function writeResponse(res: ServerResponse, response: EmulatorResponse): void {
  const body = response.body ?? "";
  const headers: Record<string, string | number> = { ...(response.headers ?? {}) };
  headers["content-length"] = Buffer.byteLength(body);
  if (!Object.keys(headers).some((k) => k.toLowerCase() === "x-amzn-requestid")) {
    headers["x-amzn-requestid"] = cryptoRandomId();
  }
  res.writeHead(response.status, headers);
  res.end(body);
}

function cryptoRandomId(): string {
  return globalThis.crypto.randomUUID();
}
