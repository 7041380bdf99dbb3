import { randomUUID } from "node:crypto";
import { ServiceError } from "../../../core/errors.js";
import type { EmulatorRequest, EmulatorResponse, RequestContext } from "../../../core/request.js";
import type { Operation, ServiceEnv } from "../../../core/service.js";
import { parseRestJson, restJsonError, restJsonResponse, type RestRouter } from "../../../protocol/rest.js";
import type { Invoke } from "./batch-outcome.js";
import {
  applySettings,
  checkCombination,
  defaultsFor,
  sourceKindOf,
  toConfiguration,
  validateSettings,
  type MappingRecord,
} from "./config.js";
import { contextFor, queueUrlFor, type Worker, type WorkerContext } from "./context.js";
import { LIST_PAGE_SIZE, MAX_LIST_ITEMS } from "./limits.js";
import { BatchSlots } from "./sqs-scaling.js";
import { SqsWorker } from "./sqs-worker.js";
import { EsmStore, type EsmJournalEntry, type EsmSnapshot } from "./store.js";
import { captureLatestPositions, StreamWorker } from "./stream-worker.js";

export interface EsmDeps {
  env: ServiceEnv;
  /** Synchronous (RequestResponse) invoke of a function by name or ARN. */
  invoke: Invoke;
  /** The function's ARN (with qualifier when given), or undefined when no such function exists. */
  functionArn: (nameOrArn: string, context: RequestContext) => string | undefined;
  /** The function's Timeout in seconds (an SQS queue's visibility timeout must not be shorter). */
  functionTimeout: (functionArn: string, context: RequestContext) => number | undefined;
}

export interface EsmEngine {
  operations: Record<string, Operation>;
  routes: (router: RestRouter) => void;
  /** Loads mappings and checkpoints (storage only). */
  load(): void;
  /** Starts the workers; loads first when `load` was not called. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const BASE_PATH = "/2015-03-31/event-source-mappings";
const BUSY_STATES = new Set(["Creating", "Updating", "Deleting", "Enabling", "Disabling"]);

const notFound = () =>
  new ServiceError("ResourceNotFoundException", "The resource you requested does not exist.", 404);
const invalidParameter = (message: string) =>
  new ServiceError("InvalidParameterValueException", message, 400);
const inUse = (state: string) =>
  new ServiceError(
    "ResourceInUseException",
    `The operation cannot be performed at this time. The event source mapping is currently in ${state} state.`,
    400,
  );

/**
 * Lambda event source mappings for DynamoDB streams and SQS queues: the five API operations, their
 * restJson1 routes (registered on the Lambda service's router), and one poller per enabled mapping.
 */
export function createEsmEngine(deps: EsmDeps): EsmEngine {
  const { env } = deps;
  const store = new EsmStore(env.store<EsmSnapshot, EsmJournalEntry>("lambda-esm"));
  const mappings = new Map<string, MappingRecord>();
  const workers = new Map<string, Worker>();
  const slots = new Map<string, BatchSlots>();
  let running = false;

  const workerContext: WorkerContext = {
    env,
    invoke: deps.invoke,
    store,
    reportResult: (uuid, result) => {
      const mapping = mappings.get(uuid);
      if (mapping && mapping.lastProcessingResult !== result) {
        mapping.lastProcessingResult = result;
      }
    },
    slots: (uuid) => {
      let held = slots.get(uuid);
      if (!held) slots.set(uuid, (held = new BatchSlots()));
      return held;
    },
  };

  const save = (mapping: MappingRecord) => store.putMapping(mapping);

  const startWorker = (mapping: MappingRecord) => {
    stopWorker(mapping.uuid);
    if (!running || !mapping.enabled) return;
    const worker =
      mapping.sourceKind === "dynamodb"
        ? new StreamWorker(mapping, workerContext)
        : new SqsWorker(mapping, workerContext);
    workers.set(mapping.uuid, worker);
    worker.start();
  };

  /** Stops a mapping's poller; `retire` lets batches it already received finish (SQS). */
  const stopWorker = (uuid: string, how: "retire" | "stop" = "retire") => {
    const worker = workers.get(uuid);
    if (how === "retire" && worker?.retire) worker.retire();
    else worker?.stop();
    workers.delete(uuid);
  };

  /** Creating/Updating → Enabled/Disabled, after the work a state change needs. */
  const settle = async (mapping: MappingRecord) => {
    stopWorker(mapping.uuid);
    if (
      mapping.sourceKind === "dynamodb" &&
      mapping.startingPosition === "LATEST" &&
      mapping.latestCapturedAt === undefined
    ) {
      try {
        await captureLatestPositions(workerContext, mapping);
      } catch (error) {
        // The worker captures the positions itself once the stream answers.
        env.reportBackgroundError("lambda", error);
      }
    }
    if (mappings.get(mapping.uuid) !== mapping || mapping.state === "Deleting") return;
    mapping.state = mapping.enabled ? "Enabled" : "Disabled";
    save(mapping);
    startWorker(mapping);
  };

  const finishDelete = (mapping: MappingRecord) => {
    stopWorker(mapping.uuid);
    mappings.delete(mapping.uuid);
    store.deleteMapping(mapping.uuid);
  };

  const visible = (uuid: unknown, context: RequestContext): MappingRecord => {
    if (typeof uuid !== "string" || uuid === "") throw notFound();
    const mapping = mappings.get(uuid);
    if (!mapping || mapping.accountId !== context.accountId || mapping.region !== context.region)
      throw notFound();
    return mapping;
  };

  const resolveFunction = (name: unknown, context: RequestContext): string => {
    if (typeof name !== "string" || name === "") {
      throw new ServiceError(
        "ValidationException",
        "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null",
        400,
      );
    }
    const arn = deps.functionArn(name, context);
    if (!arn) {
      const shown = name.startsWith("arn:")
        ? name
        : `arn:aws:lambda:${context.region}:${context.accountId}:function:${name}`;
      throw new ServiceError("ResourceNotFoundException", `Function not found: ${shown}`, 404);
    }
    return arn;
  };

  const assertNoDuplicate = (eventSourceArn: string, functionArn: string, except?: string) => {
    for (const other of mappings.values()) {
      if (other.uuid === except || other.state === "Deleting") continue;
      if (other.eventSourceArn === eventSourceArn && other.functionArn === functionArn) {
        const kind = other.sourceKind === "sqs" ? "SQS" : "DynamoDB stream";
        throw new ServiceError(
          "ResourceConflictException",
          `An event source mapping with ${kind} arn (" ${eventSourceArn} ") and function (" ${functionArn} ") already exists. Please update or delete the existing mapping with UUID ${other.uuid}`,
          409,
        );
      }
    }
  };

  /**
   * The source must exist, as AWS checks when the mapping is created. Answers a queue's
   * VisibilityTimeout (seconds) for SQS sources.
   */
  const assertSourceExists = async (mapping: MappingRecord): Promise<number | undefined> => {
    try {
      if (mapping.sourceKind === "dynamodb") {
        await env.call(
          "dynamodbstreams",
          "DescribeStream",
          { StreamArn: mapping.eventSourceArn, Limit: 1 },
          contextFor(mapping.eventSourceArn),
        );
        return undefined;
      }
      return await queueVisibilityTimeout(mapping.eventSourceArn);
    } catch (error) {
      if (error instanceof ServiceError && error.code === "UnknownOperationException") {
        const service = mapping.sourceKind === "dynamodb" ? "dynamodbstreams" : "sqs";
        throw invalidParameter(
          `The ${service} service is not enabled in this emulator, so ${mapping.eventSourceArn} cannot be read.`,
        );
      }
      const what = mapping.sourceKind === "dynamodb" ? "Stream" : "Queue";
      throw invalidParameter(`${what} not found: ${mapping.eventSourceArn}`);
    }
  };

  const queueVisibilityTimeout = async (queueArn: string): Promise<number> => {
    const out = await env.call<{ Attributes?: Record<string, string> }>(
      "sqs",
      "GetQueueAttributes",
      { QueueUrl: await queueUrlFor(env, queueArn), AttributeNames: ["VisibilityTimeout"] },
      contextFor(queueArn),
    );
    return Number(out.Attributes?.["VisibilityTimeout"]);
  };

  /**
   * AWS refuses an SQS mapping whose function may run longer than the queue hides a message
   * (services-sqs-configure), at CreateEventSourceMapping and UpdateEventSourceMapping.
   */
  const assertVisibilityCoversTimeout = (
    mapping: MappingRecord,
    visibilitySeconds: number | undefined,
    context: RequestContext,
  ) => {
    const timeout = deps.functionTimeout(mapping.functionArn, context);
    if (visibilitySeconds === undefined || !Number.isFinite(visibilitySeconds) || timeout === undefined)
      return;
    if (visibilitySeconds < timeout) {
      throw invalidParameter(
        `Queue visibility timeout: ${visibilitySeconds} seconds is less than Function timeout: ${timeout} seconds`,
      );
    }
  };

  const operations: Record<string, Operation> = {
    CreateEventSourceMapping: async (input: Record<string, unknown>, context: RequestContext) => {
      const eventSourceArn = input["EventSourceArn"];
      if (typeof eventSourceArn !== "string" || eventSourceArn === "") {
        throw invalidParameter("EventSourceArn is required: the ARN of a DynamoDB stream or an SQS queue.");
      }
      const kind = sourceKindOf(eventSourceArn);
      if (!kind) {
        throw invalidParameter(
          `Unsupported event source ${eventSourceArn}: this emulator maps DynamoDB streams (arn:aws:dynamodb:…:table/<t>/stream/<label>) and SQS queues (arn:aws:sqs:…:<queue>).`,
        );
      }
      const functionArn = resolveFunction(input["FunctionName"], context);
      const settings = validateSettings(input, kind);
      if (kind === "dynamodb" && !settings.startingPosition) {
        throw invalidParameter(
          "StartingPosition is required for DynamoDB stream event sources: TRIM_HORIZON or LATEST.",
        );
      }
      const now = env.clock.now();
      const mapping: MappingRecord = {
        uuid: randomUUID(),
        accountId: context.accountId,
        region: context.region,
        eventSourceArn,
        sourceKind: kind,
        functionArn,
        enabled: true,
        functionResponseTypes: [],
        lastModified: now,
        lastProcessingResult: "No records processed",
        state: "Creating",
        stateTransitionReason: "USER_INITIATED",
        ...defaultsFor(kind),
      };
      if (settings.startingPosition) mapping.startingPosition = settings.startingPosition;
      applySettings(mapping, settings);
      checkCombination(mapping);
      assertNoDuplicate(eventSourceArn, functionArn);
      assertVisibilityCoversTimeout(mapping, await assertSourceExists(mapping), context);
      // Another create may have made the same mapping while the source was being checked.
      assertNoDuplicate(eventSourceArn, functionArn);
      mappings.set(mapping.uuid, mapping);
      save(mapping);
      const answer = toConfiguration(mapping);
      void settle(mapping).catch((error: unknown) => env.reportBackgroundError("lambda", error));
      return answer;
    },

    GetEventSourceMapping: async (input: { UUID?: string }, context: RequestContext) =>
      toConfiguration(visible(input.UUID, context)),

    ListEventSourceMappings: async (
      input: { EventSourceArn?: string; FunctionName?: string; Marker?: string; MaxItems?: number },
      context: RequestContext,
    ) => {
      const maxItems = input.MaxItems ?? LIST_PAGE_SIZE;
      if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > MAX_LIST_ITEMS) {
        throw new ServiceError(
          "ValidationException",
          `1 validation error detected: Value '${String(input.MaxItems)}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_LIST_ITEMS}`,
          400,
        );
      }
      let functionArn: string | undefined;
      if (input.FunctionName) {
        functionArn = deps.functionArn(input.FunctionName, context);
        if (!functionArn) return { EventSourceMappings: [] };
      }
      const all = [...mappings.values()]
        .filter((m) => m.accountId === context.accountId && m.region === context.region)
        .filter((m) => !input.EventSourceArn || m.eventSourceArn === input.EventSourceArn)
        .filter(
          (m) => !functionArn || m.functionArn === functionArn || m.functionArn.startsWith(`${functionArn}:`),
        );
      const start = input.Marker ? Number(Buffer.from(input.Marker, "base64url").toString("utf8")) : 0;
      if (!Number.isInteger(start) || start < 0)
        throw invalidParameter("The Marker is not valid; pass NextMarker from the previous page.");
      const page = all.slice(start, start + Math.min(maxItems, LIST_PAGE_SIZE));
      const next = start + page.length;
      return {
        EventSourceMappings: page.map(toConfiguration),
        ...(next < all.length ? { NextMarker: Buffer.from(String(next)).toString("base64url") } : {}),
      };
    },

    UpdateEventSourceMapping: async (input: Record<string, unknown>, context: RequestContext) => {
      const mapping = visible(input["UUID"], context);
      if (BUSY_STATES.has(mapping.state)) throw inUse(mapping.state);
      const settings = validateSettings({ ...input, StartingPosition: undefined }, mapping.sourceKind);
      const updated: MappingRecord = structuredClone(mapping);
      if (input["FunctionName"] !== undefined && input["FunctionName"] !== null) {
        updated.functionArn = resolveFunction(input["FunctionName"], context);
      }
      applySettings(updated, settings);
      checkCombination(updated);
      assertNoDuplicate(updated.eventSourceArn, updated.functionArn, updated.uuid);
      if (updated.sourceKind === "sqs") {
        // A queue deleted since the mapping was made leaves nothing to compare with.
        const visibility = await queueVisibilityTimeout(updated.eventSourceArn).catch(() => undefined);
        assertVisibilityCoversTimeout(updated, visibility, context);
        if (BUSY_STATES.has(mapping.state)) throw inUse(mapping.state);
      }
      for (const key of Object.keys(mapping))
        if (!(key in updated)) delete (mapping as unknown as Record<string, unknown>)[key];
      Object.assign(mapping, updated, { state: "Updating", lastModified: env.clock.now() });
      save(mapping);
      const answer = toConfiguration(mapping);
      void settle(mapping).catch((error: unknown) => env.reportBackgroundError("lambda", error));
      return answer;
    },

    DeleteEventSourceMapping: async (input: { UUID?: string }, context: RequestContext) => {
      const mapping = visible(input.UUID, context);
      if (mapping.state === "Deleting") {
        throw new ServiceError(
          "ResourceInUseException",
          "The operation cannot be performed at this time. The event source mapping is currently in Deleting state.",
          400,
        );
      }
      mapping.state = "Deleting";
      save(mapping);
      const answer = toConfiguration(mapping);
      stopWorker(mapping.uuid);
      // Deletion completes right after the answer, as an asynchronous state change.
      queueMicrotask(() => finishDelete(mapping));
      return answer;
    },
  };

  const route =
    (status: number, run: (request: EmulatorRequest, params: Record<string, string>) => Promise<unknown>) =>
    async (request: EmulatorRequest, params: Record<string, string>): Promise<EmulatorResponse> => {
      try {
        return restJsonResponse(status, await run(request, params));
      } catch (error) {
        return restJsonError(error, request.context.requestId);
      }
    };

  const routes = (router: RestRouter) => {
    router
      .add(
        "POST",
        BASE_PATH,
        route(202, (request) =>
          operations.CreateEventSourceMapping!(parseRestJson(request.body), request.context),
        ),
      )
      .add(
        "GET",
        BASE_PATH,
        route(200, (request) => {
          const maxItems = request.query.get("MaxItems");
          return operations.ListEventSourceMappings!(
            {
              EventSourceArn: request.query.get("EventSourceArn") ?? undefined,
              FunctionName: request.query.get("FunctionName") ?? undefined,
              Marker: request.query.get("Marker") ?? undefined,
              MaxItems: maxItems === null ? undefined : Number(maxItems),
            },
            request.context,
          );
        }),
      )
      .add(
        "GET",
        `${BASE_PATH}/:uuid`,
        route(200, (request, params) =>
          operations.GetEventSourceMapping!({ UUID: params["uuid"] }, request.context),
        ),
      )
      .add(
        "PUT",
        `${BASE_PATH}/:uuid`,
        route(202, (request, params) =>
          operations.UpdateEventSourceMapping!(
            { ...parseRestJson(request.body), UUID: params["uuid"] },
            request.context,
          ),
        ),
      )
      .add(
        "DELETE",
        `${BASE_PATH}/:uuid`,
        route(202, (request, params) =>
          operations.DeleteEventSourceMapping!({ UUID: params["uuid"] }, request.context),
        ),
      );
  };

  let loaded = false;
  function load(): void {
    store.load();
    loaded = true;
    for (const mapping of store.mappings.values()) mappings.set(mapping.uuid, structuredClone(mapping));
  }

  return {
    operations,
    routes,
    /** Loads mappings and checkpoints (storage only; no worker polls yet). */
    load,
    /** Starts the workers (after the gateway listens); loads first when `load` was not called. */
    async start() {
      if (!loaded) load();
      running = true;
      for (const mapping of mappings.values()) {
        if (mapping.state === "Deleting") finishDelete(mapping);
        else if (mapping.state === "Enabled" || mapping.state === "Disabled") startWorker(mapping);
        else void settle(mapping).catch((error: unknown) => env.reportBackgroundError("lambda", error));
      }
    },
    async stop() {
      running = false;
      for (const uuid of [...workers.keys()]) stopWorker(uuid, "stop");
      // LastProcessingResult is kept in memory between journal writes; fold everything in once.
      for (const mapping of mappings.values()) save(mapping);
      store.compact();
    },
  };
}
