import type {
  AddPermissionResponse,
  AliasConfiguration,
  ListAliasesResponse,
  ListVersionsByFunctionResponse,
  FunctionConfiguration,
  FunctionEventInvokeConfig,
  GetAccountSettingsResponse,
  GetFunctionResponse,
  GetPolicyResponse,
  ListFunctionEventInvokeConfigsResponse,
  ListFunctionsResponse,
  ListTagsResponse,
} from "@aws-sdk/client-lambda";
import { randomUUID } from "node:crypto";
import type { RequestContext } from "../../core/request.js";
import type { ServiceEnv } from "../../core/service.js";
import type { AsyncInvoker } from "./async-invocations.js";
import type { CodeStore } from "./code-store.js";
import {
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  readArchitectures,
  readBlob,
  readDeadLetterTarget,
  readEnvironment,
  readLogGroup,
  readMemorySize,
  readTags,
  readTimeout,
  readTracingMode,
  requiredString,
  toConfiguration,
  validDescription,
  validDestination,
  validHandler,
  validRole,
  runtimeProblem,
  validRuntime,
  type Input,
} from "./configuration.js";
import { lambdaErrors } from "./errors.js";
import type { Executor, FunctionSpec, InvocationRequest, InvocationResult } from "./executor/executor.js";
import { logTail } from "./executor/log-lines.js";
import {
  ACCOUNT_CONCURRENT_EXECUTIONS,
  ACCOUNT_TOTAL_CODE_SIZE,
  DEFAULT_MEMORY_MB,
  DEFAULT_TIMEOUT_SECONDS,
  LIST_DEFAULT_PAGE,
  LIST_MAX_ITEMS,
  LOG_TAIL_BYTES,
  MAX_ASYNC_PAYLOAD_BYTES,
  MAX_CLIENT_CONTEXT_BYTES,
  MAX_EVENT_AGE_SECONDS,
  MAX_RETRY_ATTEMPTS,
  MAX_SYNC_PAYLOAD_BYTES,
  MAX_UNZIPPED_BYTES,
  MAX_ZIP_BYTES,
  MIN_EVENT_AGE_SECONDS,
  STATE_TRANSITION_MS,
} from "./limits.js";
import type { AliasRecord, EventInvokeConfig, FunctionRecord, VersionRecord } from "./models.js";
import {
  functionArn,
  functionKey,
  LATEST,
  parseFunctionRef,
  withQualifier,
  type FunctionRef,
} from "./names.js";
import { policyDocument, statementFrom } from "./policy.js";
import { checkExecutionRole } from "./role-check.js";
import {
  ALIAS_PATTERN,
  findAlias,
  findVersion,
  resolveTarget,
  sameConfig,
  VERSION_PATTERN,
  versionConfigOf,
  versionView,
} from "./versions.js";
import type { LambdaStore } from "./store.js";
import type { LambdaMetrics } from "./telemetry.js";

/** Invoke's in-process contract (emulator notes): the same shapes as the restJson1 wire, Payload as text. */
export interface InvokeInput {
  FunctionName: string;
  InvocationType?: "RequestResponse" | "Event" | "DryRun";
  LogType?: "None" | "Tail";
  /** JSON text (or bytes, from the HTTP route). */
  Payload?: string | Uint8Array;
  Qualifier?: string;
  /** base64 JSON, as in the X-Amz-Client-Context header. */
  ClientContext?: string;
}

export interface InvokeOutput {
  StatusCode: number;
  FunctionError?: "Unhandled";
  Payload: string;
  ExecutedVersion?: string;
  LogResult?: string;
}

export interface LambdaProviderDeps {
  env: ServiceEnv;
  store: LambdaStore;
  code: CodeStore;
  executor: Executor;
  metrics: LambdaMetrics;
  /** Set after construction (the async invoker runs functions through this provider). */
  asyncInvoker?: AsyncInvoker;
}

const INVOCATION_TYPES = ["RequestResponse", "Event", "DryRun"];

/** One method per Lambda operation (aws-behaviour.md §4), over the store, the code store and the executor. */
export class LambdaProvider {
  private readonly inFlight = new Map<string, number>();
  private readonly transitions = new Map<string, { cancel(): void }>();

  constructor(private readonly deps: LambdaProviderDeps) {}

  /** The async invoker runs its attempts through `execute`, so it is wired after construction. */
  useAsyncInvoker(invoker: AsyncInvoker): void {
    this.deps.asyncInvoker = invoker;
  }

  private get env(): ServiceEnv {
    return this.deps.env;
  }

  // --- Functions -----------------------------------------------------------------------------

  async createFunction(input: Input, context: RequestContext): Promise<FunctionConfiguration> {
    const ref = parseFunctionRef(input["FunctionName"], context);
    if (ref.qualifier !== undefined) {
      throw lambdaErrors.invalidParameter(
        "A function name given to CreateFunction cannot carry a qualifier.",
      );
    }
    const role = validRole(requiredString(input, "Role"));
    if (input["PackageType"] === "Image") {
      throw lambdaErrors.invalidParameter(
        "This emulator runs Zip functions only (PackageType Zip with a Node.js runtime).",
      );
    }
    const runtime = validRuntime(requiredString(input, "Runtime"));
    const handler = validHandler(requiredString(input, "Handler"));
    const zip = this.zipFrom(input);
    const description = validDescription(optionalString(input, "Description") ?? "");
    const timeout = readTimeout(input) ?? DEFAULT_TIMEOUT_SECONDS;
    const memorySize = readMemorySize(input) ?? DEFAULT_MEMORY_MB;
    const environment = readEnvironment(input) ?? {};
    const deadLetter = readDeadLetterTarget(input);
    const tags = readTags(input) ?? {};
    const logGroup = readLogGroup(input) ?? `/aws/lambda/${ref.name}`;
    const architectures = readArchitectures(input) ?? ["x86_64"];
    const tracingMode = readTracingMode(input);
    const publish = optionalBoolean(input, "Publish") ?? false;
    if (this.deps.store.functions.has(functionKey(ref))) throw lambdaErrors.functionExists(ref.name);
    await checkExecutionRole(this.env, role, { ...context, accountId: ref.accountId, region: ref.region });
    const stored = this.deps.code.save(zip);
    const now = this.env.clock.now();
    const fn: FunctionRecord = {
      accountId: ref.accountId,
      region: ref.region,
      name: ref.name,
      runtime,
      role,
      handler,
      description,
      timeout,
      memorySize,
      environment,
      ...(deadLetter ? { deadLetterTargetArn: deadLetter } : {}),
      codeSha256: stored.codeSha256,
      codeSize: stored.codeSize,
      lastModified: now,
      revisionId: randomUUID(),
      state: "Pending",
      stateReason: "The function is being created.",
      stateReasonCode: "Creating",
      lastUpdateStatus: "Successful",
      tags,
      policy: [],
      logGroup,
      architectures,
      ...(tracingMode ? { tracingMode } : {}),
      generation: randomUUID(),
    };
    this.deps.store.putFunction(fn);
    this.scheduleTransition(functionKey(fn));
    // Publish: true answers the new version (Version "1"), under the function's unqualified ARN.
    if (publish) return this.publishedAnswer(this.publish(functionKey(fn), description), false);
    return toConfiguration(fn);
  }

  async getFunction(input: Input, context: RequestContext): Promise<GetFunctionResponse> {
    const { fn, configuration } = this.qualified(input, context);
    const response: GetFunctionResponse = {
      Configuration: configuration,
      Code: {
        RepositoryType: "S3",
        Location: `${this.env.baseUrl()}/_emulator/lambda/code/${encodeURIComponent(fn.codeSha256)}`,
      },
    };
    if (Object.keys(fn.tags).length > 0) response.Tags = { ...fn.tags };
    if (fn.reservedConcurrency !== undefined) {
      response.Concurrency = { ReservedConcurrentExecutions: fn.reservedConcurrency };
    }
    return response;
  }

  async getFunctionConfiguration(input: Input, context: RequestContext): Promise<FunctionConfiguration> {
    return this.qualified(input, context).configuration;
  }

  /** The configuration a qualifier names: $LATEST, a published version, or an alias's version. */
  private qualified(
    input: Input,
    context: RequestContext,
  ): { fn: FunctionRecord; configuration: FunctionConfiguration } {
    const ref = this.refOf(input, context);
    const fn = this.deps.store.functions.get(functionKey(ref));
    if (!fn) throw this.notFound(ref);
    const q = ref.qualifier;
    if (q === undefined) return { fn, configuration: toConfiguration(fn) };
    if (q === LATEST) return { fn, configuration: toConfiguration(fn, { arnQualifier: q }) };
    const alias = VERSION_PATTERN.test(q) ? undefined : findAlias(fn, q);
    const versionName = VERSION_PATTERN.test(q) ? q : alias?.functionVersion;
    if (versionName === LATEST) return { fn, configuration: toConfiguration(fn, { arnQualifier: q }) };
    const version = versionName ? findVersion(fn, versionName) : undefined;
    if (!version) throw this.notFound(ref);
    const view = versionView(fn, version, this.env.clock.now());
    return { fn: view, configuration: toConfiguration(view, { version: version.version, arnQualifier: q }) };
  }

  async listFunctions(input: Input, context: RequestContext): Promise<ListFunctionsResponse> {
    const maxItems = optionalInteger(input, "MaxItems", 1, LIST_MAX_ITEMS) ?? LIST_DEFAULT_PAGE;
    const all = [...this.deps.store.functions.values()]
      .filter((fn) => fn.accountId === context.accountId && fn.region === context.region)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const after = decodeMarker(optionalString(input, "Marker"));
    const start = after === undefined ? 0 : all.findIndex((fn) => fn.name > after);
    const rest = start < 0 ? [] : all.slice(start);
    const page = rest.slice(0, Math.min(maxItems, LIST_DEFAULT_PAGE));
    const response: ListFunctionsResponse = { Functions: page.map((fn) => toConfiguration(fn)) };
    const last = page.at(-1);
    if (last && rest.length > page.length) response.NextMarker = encodeMarker(last.name);
    return response;
  }

  async deleteFunction(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const ref = this.refOf(input, context);
    if (ref.qualifier === LATEST) {
      throw lambdaErrors.invalidParameter("$LATEST version cannot be deleted without deleting the function.");
    }
    if (ref.qualifier !== undefined) return this.deleteVersion(ref);
    const fn = this.require(ref);
    const key = functionKey(fn);
    this.transitions.get(key)?.cancel();
    this.transitions.delete(key);
    this.deps.store.deleteFunction(key);
    this.deps.executor.retire(key);
    for (const v of fn.versions ?? []) this.deps.executor.retire(versionKey(key, v.version));
    return {};
  }

  async updateFunctionCode(input: Input, context: RequestContext): Promise<FunctionConfiguration> {
    const fn = this.updatable(input, context);
    const zip = this.zipFrom(input, "Please provide a source for function code.");
    if (input["DryRun"] === true) {
      return toConfiguration({
        ...fn,
        codeSha256: this.deps.code.save(zip).codeSha256,
        codeSize: zip.length,
      });
    }
    const architectures = readArchitectures(input);
    const publish = optionalBoolean(input, "Publish") ?? false;
    const stored = this.deps.code.save(zip);
    const updated = this.applyUpdate(fn, {
      codeSha256: stored.codeSha256,
      codeSize: stored.codeSize,
      ...(architectures ? { architectures } : {}),
    });
    if (!publish) return updated;
    return this.publishedAnswer(this.publish(functionKey(fn), fn.description));
  }

  async updateFunctionConfiguration(input: Input, context: RequestContext): Promise<FunctionConfiguration> {
    const fn = this.updatable(input, context);
    const changes: Partial<FunctionRecord> = {};
    const role = optionalString(input, "Role");
    if (role !== undefined) {
      changes.role = validRole(role);
      if (role !== fn.role) {
        await checkExecutionRole(this.env, role, { ...context, accountId: fn.accountId, region: fn.region });
      }
    }
    const tracingMode = readTracingMode(input);
    if (tracingMode !== undefined) changes.tracingMode = tracingMode;
    const runtime = optionalString(input, "Runtime");
    if (runtime !== undefined) changes.runtime = validRuntime(runtime);
    const handler = optionalString(input, "Handler");
    if (handler !== undefined) changes.handler = validHandler(handler);
    const description = optionalString(input, "Description");
    if (description !== undefined) changes.description = validDescription(description);
    const timeout = readTimeout(input);
    if (timeout !== undefined) changes.timeout = timeout;
    const memorySize = readMemorySize(input);
    if (memorySize !== undefined) changes.memorySize = memorySize;
    const environment = readEnvironment(input);
    if (environment !== undefined) changes.environment = environment;
    const logGroup = readLogGroup(input);
    if (logGroup !== undefined) changes.logGroup = logGroup;
    const deadLetter = readDeadLetterTarget(input);
    const updated = this.applyUpdate(fn, changes, deadLetter);
    return updated;
  }

  // --- Invoke --------------------------------------------------------------------------------

  async invoke(input: InvokeInput, context: RequestContext): Promise<InvokeOutput> {
    const ref = withQualifier(parseFunctionRef(input.FunctionName, context), input.Qualifier);
    const base = this.deps.store.functions.get(functionKey(ref));
    const target = base ? resolveTarget(base, ref.qualifier, this.env.clock.now(), Math.random) : undefined;
    if (!base || !target) throw this.notFound(ref);
    const fn = target.fn;
    const type = input.InvocationType ?? "RequestResponse";
    if (!INVOCATION_TYPES.includes(type)) {
      throw lambdaErrors.validation(
        "invocationType",
        type,
        "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
      );
    }
    const payload = payloadText(input.Payload);
    const size = Buffer.byteLength(payload);
    if (type === "Event" && size > MAX_ASYNC_PAYLOAD_BYTES)
      throw lambdaErrors.tooLarge(MAX_ASYNC_PAYLOAD_BYTES);
    if (size > MAX_SYNC_PAYLOAD_BYTES) throw lambdaErrors.tooLarge(MAX_SYNC_PAYLOAD_BYTES);
    assertJson(payload);
    const clientContext = decodeClientContext(input.ClientContext);
    if (type === "DryRun") return { StatusCode: 204, Payload: "" };
    this.assertRunnable(fn);
    if (type === "Event") {
      this.asyncInvoker().enqueue(base, context.requestId, payload === "" ? "{}" : payload, ref.qualifier);
      return { StatusCode: 202, Payload: "" };
    }
    const result = await this.run(fn, target.version, {
      requestId: context.requestId,
      payload: payload === "" ? "{}" : payload,
      invokedFunctionArn: functionArn(fn, ref.qualifier),
      ...(clientContext ? { clientContext } : {}),
    });
    const output: InvokeOutput = {
      StatusCode: 200,
      Payload: result.payload,
      ExecutedVersion: target.version,
    };
    if (result.outcome !== "success") output.FunctionError = "Unhandled";
    if (input.LogType === "Tail") output.LogResult = logTail(result.log, LOG_TAIL_BYTES);
    return output;
  }

  /**
   * Runs one invocation in an execution environment, enforcing reserved concurrency (throttle) and
   * recording the AWS/Lambda metrics. Shared by synchronous, asynchronous and mapping invocations.
   */
  async execute(
    fn: FunctionRecord,
    request: InvocationRequest,
  ): Promise<InvocationResult & { executedVersion: string }> {
    // An asynchronous invocation of a version or alias runs that version (an alias: routed anew).
    const qualifier = request.invokedFunctionArn.split(":")[7];
    const target = resolveTarget(fn, qualifier, this.env.clock.now(), Math.random);
    if (!target) throw lambdaErrors.functionNotFound(request.invokedFunctionArn);
    this.assertRunnable(target.fn);
    return { ...(await this.run(target.fn, target.version, request)), executedVersion: target.version };
  }

  /** Only an Active function (or version) runs; one of a runtime the emulator cannot run says so. */
  private assertRunnable(fn: FunctionRecord): void {
    if (fn.state === "Failed" && fn.stateReasonCode === "InvalidRuntime") {
      throw lambdaErrors.invalidRuntime(fn.stateReason ?? `The runtime ${fn.runtime} is not supported.`);
    }
    if (fn.state !== "Active") throw lambdaErrors.notReady(fn.state);
  }

  /** Runs `fn` (the function, or a version view of it) as `version`. */
  private async run(
    fn: FunctionRecord,
    version: string,
    request: InvocationRequest,
  ): Promise<InvocationResult> {
    const key = functionKey(fn);
    const running = this.inFlight.get(key) ?? 0;
    if (fn.reservedConcurrency !== undefined && running >= fn.reservedConcurrency) {
      this.recordMetrics(fn, undefined, true);
      throw lambdaErrors.throttled();
    }
    this.inFlight.set(key, running + 1);
    try {
      const result = await this.deps.executor.invoke(this.specOf(fn, version), request);
      this.recordMetrics(fn, result, false);
      return result;
    } finally {
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left > 0) this.inFlight.set(key, left);
      else this.inFlight.delete(key);
    }
  }

  // --- Versions and aliases --------------------------------------------------------------------

  async publishVersion(input: Input, context: RequestContext): Promise<FunctionConfiguration> {
    const fn = this.find(input, context);
    if (fn.state === "Pending") throw lambdaErrors.notReady(fn.state);
    if (fn.lastUpdateStatus === "InProgress") throw lambdaErrors.updateInProgress(functionArn(fn));
    this.checkRevision(fn, input);
    const sha = optionalString(input, "CodeSha256");
    if (sha !== undefined && sha !== "" && sha !== fn.codeSha256) {
      throw lambdaErrors.invalidParameter(
        `CodeSHA256 (${sha}) is different from current CodeSHA256 in $LATEST (${fn.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    const description = validDescription(optionalString(input, "Description") ?? fn.description);
    return this.publishedAnswer(this.publish(functionKey(fn), description));
  }

  async listVersionsByFunction(
    input: Input,
    context: RequestContext,
  ): Promise<ListVersionsByFunctionResponse> {
    const fn = this.find(input, context);
    const maxItems = optionalInteger(input, "MaxItems", 1, LIST_MAX_ITEMS) ?? LIST_DEFAULT_PAGE;
    const now = this.env.clock.now();
    // Every entry's ARN is qualified, $LATEST's too.
    const all = [
      toConfiguration(fn, { arnQualifier: LATEST }),
      ...(fn.versions ?? []).map((v) =>
        toConfiguration(versionView(fn, v, now), { version: v.version, arnQualifier: v.version }),
      ),
    ];
    const start = decodeIndexMarker(optionalString(input, "Marker"));
    const page = all.slice(start, start + Math.min(maxItems, LIST_DEFAULT_PAGE));
    const response: ListVersionsByFunctionResponse = { Versions: page };
    if (start + page.length < all.length) response.NextMarker = encodeIndexMarker(start + page.length);
    return response;
  }

  async createAlias(input: Input, context: RequestContext): Promise<AliasConfiguration> {
    const fn = this.find(input, context);
    const name = aliasName(requiredString(input, "Name"));
    const target = this.aliasTarget(fn, requiredString(input, "FunctionVersion"));
    const weights = this.routing(fn, target, input);
    if (findAlias(fn, name)) throw lambdaErrors.conflict(`Alias already exists: ${functionArn(fn, name)}`);
    const alias: AliasRecord = {
      name,
      functionVersion: target,
      description: validDescription(optionalString(input, "Description") ?? ""),
      ...(weights ? { weights } : {}),
      revisionId: randomUUID(),
    };
    this.save({ ...fn, aliases: [...(fn.aliases ?? []), alias] });
    return aliasOutput(fn, alias);
  }

  async getAlias(input: Input, context: RequestContext): Promise<AliasConfiguration> {
    const fn = this.find(input, context);
    return aliasOutput(fn, this.requireAlias(fn, requiredString(input, "Name")));
  }

  async updateAlias(input: Input, context: RequestContext): Promise<AliasConfiguration> {
    const fn = this.find(input, context);
    const alias = this.requireAlias(fn, requiredString(input, "Name"));
    const revision = optionalString(input, "RevisionId");
    if (revision !== undefined && revision !== alias.revisionId) throw lambdaErrors.preconditionFailed();
    const requested = optionalString(input, "FunctionVersion");
    const target = requested === undefined ? alias.functionVersion : this.aliasTarget(fn, requested);
    const updated: AliasRecord = { ...alias, functionVersion: target, revisionId: randomUUID() };
    const description = optionalString(input, "Description");
    if (description !== undefined) updated.description = validDescription(description);
    if (input["RoutingConfig"] !== undefined) {
      const weights = this.routing(fn, target, input);
      if (weights) updated.weights = weights;
      else delete updated.weights;
    } else if (updated.weights) {
      // The weights still apply to the new primary version: check them against it.
      this.routing(fn, target, { RoutingConfig: { AdditionalVersionWeights: updated.weights } });
    }
    this.save({ ...fn, aliases: (fn.aliases ?? []).map((a) => (a.name === alias.name ? updated : a)) });
    return aliasOutput(fn, updated);
  }

  async deleteAlias(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const fn = this.find(input, context);
    const name = requiredString(input, "Name");
    this.save({ ...fn, aliases: (fn.aliases ?? []).filter((a) => a.name !== name) });
    return {};
  }

  async listAliases(input: Input, context: RequestContext): Promise<ListAliasesResponse> {
    const fn = this.find(input, context);
    const version = optionalString(input, "FunctionVersion");
    const maxItems = optionalInteger(input, "MaxItems", 1, LIST_MAX_ITEMS) ?? LIST_DEFAULT_PAGE;
    const all = (fn.aliases ?? [])
      .filter((a) => version === undefined || a.functionVersion === version)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((a) => aliasOutput(fn, a));
    const start = decodeIndexMarker(optionalString(input, "Marker"));
    const page = all.slice(start, start + maxItems);
    const response: ListAliasesResponse = { Aliases: page };
    if (start + page.length < all.length) response.NextMarker = encodeIndexMarker(start + page.length);
    return response;
  }

  /** Publishes $LATEST unless the newest version already has its code and configuration. */
  private publish(key: string, description: string): { fn: FunctionRecord; version: VersionRecord } {
    const fn = this.deps.store.functions.get(key)!;
    const config = versionConfigOf(fn);
    const newest = (fn.versions ?? []).at(-1);
    if (newest && sameConfig(newest.config, config)) return { fn, version: newest };
    const number = fn.nextVersion ?? 1;
    const version: VersionRecord = {
      version: String(number),
      description,
      lastModified: this.env.clock.now(),
      revisionId: randomUUID(),
      generation: randomUUID(),
      config,
    };
    const updated: FunctionRecord = {
      ...fn,
      versions: [...(fn.versions ?? []), version],
      nextVersion: number + 1,
    };
    this.save(updated);
    return { fn: updated, version };
  }

  /** A published version's configuration, its ARN qualified by the number unless `qualified` is false. */
  private publishedAnswer(
    { fn, version }: { fn: FunctionRecord; version: VersionRecord },
    qualified = true,
  ): FunctionConfiguration {
    return toConfiguration(versionView(fn, version, this.env.clock.now()), {
      version: version.version,
      ...(qualified ? { arnQualifier: version.version } : {}),
    });
  }

  private deleteVersion(ref: FunctionRef): Record<string, never> {
    const fn = this.require({ ...ref, qualifier: undefined } as FunctionRef);
    const version = VERSION_PATTERN.test(ref.qualifier!) ? findVersion(fn, ref.qualifier!) : undefined;
    if (!version) throw this.notFound(ref);
    const users = (fn.aliases ?? []).filter(
      (a) => a.functionVersion === version.version || Object.keys(a.weights ?? {}).includes(version.version),
    );
    if (users.length > 0) {
      throw lambdaErrors.conflict(
        `Unable to delete version because the following aliases reference it: [${users.map((a) => a.name).join(", ")}]`,
      );
    }
    this.save({ ...fn, versions: (fn.versions ?? []).filter((v) => v.version !== version.version) });
    this.deps.executor.retire(versionKey(functionKey(fn), version.version));
    return {};
  }

  /** An alias names $LATEST or a published version of the function. */
  private aliasTarget(fn: FunctionRecord, version: string): string {
    if (version !== LATEST && !VERSION_PATTERN.test(version)) {
      throw lambdaErrors.validation(
        "functionVersion",
        version,
        "Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)",
      );
    }
    if (version !== LATEST && !findVersion(fn, version))
      throw lambdaErrors.functionNotFound(functionArn(fn, version));
    return version;
  }

  /**
   * RoutingConfig.AdditionalVersionWeights: at most one other published version, with a weight in
   * 0..1 (the share of invocations it gets). Checked in Lambda's order: the count, the weight, the
   * primary version, $LATEST, the key's form, then that the version exists.
   */
  private routing(fn: FunctionRecord, primary: string, input: Input): Record<string, number> | undefined {
    const config = optionalObject(input, "RoutingConfig");
    const raw = config ? optionalObject(config, "AdditionalVersionWeights") : undefined;
    if (!raw || Object.keys(raw).length === 0) return undefined;
    const entries = Object.entries(raw);
    if (entries.length > 1) {
      throw lambdaErrors.invalidParameter(
        "Number of items in AdditionalVersionWeights cannot be greater than 1",
      );
    }
    const weights: Record<string, number> = {};
    for (const [version, value] of entries) {
      const weight = typeof value === "number" ? value : Number(value);
      const shown = `{${version}=${String(value)}}`;
      if (typeof value === "boolean" || !Number.isFinite(weight) || weight < 0 || weight > 1) {
        throw lambdaErrors.validation(
          "routingConfig.additionalVersionWeights",
          shown,
          "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]",
        );
      }
      if (version === primary) {
        throw lambdaErrors.invalidParameter(
          `Invalid function version ${version}. Function version ${version} is already included in routing configuration.`,
        );
      }
      if (primary === LATEST) {
        throw lambdaErrors.invalidParameter(
          "$LATEST is not supported for an alias pointing to more than 1 version",
        );
      }
      if (!VERSION_PATTERN.test(version)) {
        throw lambdaErrors.validation(
          "routingConfig.additionalVersionWeights",
          shown,
          "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+, Member must not be null]",
        );
      }
      if (!findVersion(fn, version)) throw lambdaErrors.functionNotFound(functionArn(fn, version));
      weights[version] = weight;
    }
    return weights;
  }

  private requireAlias(fn: FunctionRecord, name: string): AliasRecord {
    const alias = findAlias(fn, name);
    if (!alias) throw lambdaErrors.resourceNotFound(`Cannot find alias arn: ${functionArn(fn, name)}`);
    return alias;
  }

  // --- Resource policy -------------------------------------------------------------------------

  async addPermission(input: Input, context: RequestContext): Promise<AddPermissionResponse> {
    const fn = this.find(input, context);
    this.checkRevision(fn, input);
    const statement = statementFrom(input, fn);
    if (fn.policy.some((existing) => existing.Sid === statement.Sid)) {
      throw lambdaErrors.conflict(
        "The statement id (" +
          statement.Sid +
          ") provided already exists. Please provide a new statement id, or remove the existing statement.",
      );
    }
    this.save({ ...fn, policy: [...fn.policy, statement], revisionId: randomUUID() });
    return { Statement: JSON.stringify(statement) };
  }

  async getPolicy(input: Input, context: RequestContext): Promise<GetPolicyResponse> {
    const fn = this.find(input, context);
    if (fn.policy.length === 0) throw lambdaErrors.resourceNotFound();
    return { Policy: policyDocument(fn.policy), RevisionId: fn.revisionId };
  }

  async removePermission(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const fn = this.find(input, context);
    this.checkRevision(fn, input);
    const sid = requiredString(input, "StatementId");
    if (!fn.policy.some((statement) => statement.Sid === sid)) {
      throw lambdaErrors.resourceNotFound(`Statement ${sid} is not found in resource policy.`);
    }
    this.save({ ...fn, policy: fn.policy.filter((s) => s.Sid !== sid), revisionId: randomUUID() });
    return {};
  }

  // --- Asynchronous invocation configuration ---------------------------------------------------

  async putFunctionEventInvokeConfig(
    input: Input,
    context: RequestContext,
  ): Promise<FunctionEventInvokeConfig> {
    const fn = this.find(input, context);
    const config = readInvokeConfig(input, undefined, this.env.clock.now());
    this.save({ ...fn, eventInvokeConfig: config });
    return invokeConfigOutput(fn, config);
  }

  async updateFunctionEventInvokeConfig(
    input: Input,
    context: RequestContext,
  ): Promise<FunctionEventInvokeConfig> {
    const fn = this.find(input, context);
    if (!fn.eventInvokeConfig) throw this.noInvokeConfig(fn);
    const config = readInvokeConfig(input, fn.eventInvokeConfig, this.env.clock.now());
    this.save({ ...fn, eventInvokeConfig: config });
    return invokeConfigOutput(fn, config);
  }

  async getFunctionEventInvokeConfig(
    input: Input,
    context: RequestContext,
  ): Promise<FunctionEventInvokeConfig> {
    const fn = this.find(input, context);
    if (!fn.eventInvokeConfig) throw this.noInvokeConfig(fn);
    return invokeConfigOutput(fn, fn.eventInvokeConfig);
  }

  async deleteFunctionEventInvokeConfig(
    input: Input,
    context: RequestContext,
  ): Promise<Record<string, never>> {
    const fn = this.find(input, context);
    if (!fn.eventInvokeConfig) throw this.noInvokeConfig(fn);
    const { eventInvokeConfig: _removed, ...rest } = fn;
    this.save(rest);
    return {};
  }

  async listFunctionEventInvokeConfigs(
    input: Input,
    context: RequestContext,
  ): Promise<ListFunctionEventInvokeConfigsResponse> {
    const fn = this.find(input, context);
    optionalInteger(input, "MaxItems", 1, 50);
    return {
      FunctionEventInvokeConfigs: fn.eventInvokeConfig ? [invokeConfigOutput(fn, fn.eventInvokeConfig)] : [],
    };
  }

  // --- Concurrency -----------------------------------------------------------------------------

  async putFunctionConcurrency(
    input: Input,
    context: RequestContext,
  ): Promise<{ ReservedConcurrentExecutions: number }> {
    const fn = this.find(input, context);
    const reserved = optionalInteger(input, "ReservedConcurrentExecutions", 0, ACCOUNT_CONCURRENT_EXECUTIONS);
    if (reserved === undefined) throw lambdaErrors.missing("reservedConcurrentExecutions");
    this.save({ ...fn, reservedConcurrency: reserved });
    return { ReservedConcurrentExecutions: reserved };
  }

  async getFunctionConcurrency(
    input: Input,
    context: RequestContext,
  ): Promise<{ ReservedConcurrentExecutions?: number }> {
    const fn = this.find(input, context);
    return fn.reservedConcurrency === undefined
      ? {}
      : { ReservedConcurrentExecutions: fn.reservedConcurrency };
  }

  async deleteFunctionConcurrency(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const fn = this.find(input, context);
    const { reservedConcurrency: _removed, ...rest } = fn;
    this.save(rest);
    return {};
  }

  // --- Tags ------------------------------------------------------------------------------------

  async tagResource(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const fn = this.byResourceArn(input, context);
    const tags = readTags(input) ?? {};
    const merged = { ...fn.tags, ...tags };
    readTags({ Tags: merged });
    this.save({ ...fn, tags: merged });
    return {};
  }

  async untagResource(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const fn = this.byResourceArn(input, context);
    const keys = input["TagKeys"];
    if (!Array.isArray(keys)) throw lambdaErrors.missing("tagKeys");
    const tags = { ...fn.tags };
    for (const key of keys) delete tags[String(key)];
    this.save({ ...fn, tags });
    return {};
  }

  async listTags(input: Input, context: RequestContext): Promise<ListTagsResponse> {
    return { Tags: { ...this.byResourceArn(input, context).tags } };
  }

  // --- Account -------------------------------------------------------------------------------

  async getAccountSettings(_input: Input, context: RequestContext): Promise<GetAccountSettingsResponse> {
    const functions = [...this.deps.store.functions.values()].filter(
      (fn) => fn.accountId === context.accountId && fn.region === context.region,
    );
    const reserved = functions.reduce((sum, fn) => sum + (fn.reservedConcurrency ?? 0), 0);
    return {
      AccountLimit: {
        TotalCodeSize: ACCOUNT_TOTAL_CODE_SIZE,
        CodeSizeUnzipped: MAX_UNZIPPED_BYTES,
        CodeSizeZipped: MAX_ZIP_BYTES,
        ConcurrentExecutions: ACCOUNT_CONCURRENT_EXECUTIONS,
        UnreservedConcurrentExecutions: ACCOUNT_CONCURRENT_EXECUTIONS - reserved,
      },
      AccountUsage: {
        TotalCodeSize: functions.reduce((sum, fn) => sum + fn.codeSize, 0),
        FunctionCount: functions.length,
      },
    };
  }

  // --- Lookups shared with the event source mappings and the service wiring ---------------------

  /** The function a name or ARN refers to, or undefined (also for an unknown qualifier). */
  lookup(nameOrArn: string, context: RequestContext): { fn: FunctionRecord; ref: FunctionRef } | undefined {
    let ref: FunctionRef;
    try {
      ref = parseFunctionRef(nameOrArn, context);
    } catch {
      return undefined;
    }
    const fn = this.deps.store.functions.get(functionKey(ref));
    if (!fn) return undefined;
    if (ref.qualifier !== undefined && ref.qualifier !== LATEST) {
      const known = VERSION_PATTERN.test(ref.qualifier)
        ? findVersion(fn, ref.qualifier)
        : findAlias(fn, ref.qualifier);
      if (!known) return undefined;
    }
    return { fn, ref };
  }

  /** Completes Pending / InProgress transitions left over from before a restart. */
  settleTransitions(): void {
    for (const key of this.deps.store.functions.keys()) this.scheduleTransition(key);
  }

  stop(): void {
    for (const timer of this.transitions.values()) timer.cancel();
    this.transitions.clear();
  }

  // --- Internals -----------------------------------------------------------------------------

  private asyncInvoker(): AsyncInvoker {
    const invoker = this.deps.asyncInvoker;
    if (!invoker) throw new Error("The asynchronous invoker is not wired");
    return invoker;
  }

  private refOf(input: Input, context: RequestContext): FunctionRef {
    return withQualifier(parseFunctionRef(input["FunctionName"], context), input["Qualifier"]);
  }

  /** The function named in the input ($LATEST); unknown qualifiers are not found. */
  private find(input: Input, context: RequestContext): FunctionRecord {
    return this.require(this.refOf(input, context));
  }

  private require(ref: FunctionRef): FunctionRecord {
    const fn = this.deps.store.functions.get(functionKey(ref));
    if (!fn || (ref.qualifier !== undefined && ref.qualifier !== LATEST)) throw this.notFound(ref);
    return fn;
  }

  private notFound(ref: FunctionRef) {
    return lambdaErrors.functionNotFound(functionArn(ref, ref.qualifier));
  }

  private noInvokeConfig(fn: FunctionRecord) {
    return lambdaErrors.resourceNotFound(
      `The function ${functionArn(fn, LATEST)} doesn't have an EventInvokeConfig`,
    );
  }

  private byResourceArn(input: Input, context: RequestContext): FunctionRecord {
    const resource = requiredString(input, "Resource");
    if (!resource.startsWith("arn:")) {
      throw lambdaErrors.invalidParameter(`${resource} is not a valid ARN: tag a function by its ARN.`);
    }
    return this.require(parseFunctionRef(resource, context, "resource"));
  }

  private updatable(input: Input, context: RequestContext): FunctionRecord {
    const fn = this.find(input, context);
    if (fn.state === "Pending") throw lambdaErrors.notReady(fn.state);
    if (fn.lastUpdateStatus === "InProgress") throw lambdaErrors.updateInProgress(functionArn(fn));
    this.checkRevision(fn, input);
    return fn;
  }

  private checkRevision(fn: FunctionRecord, input: Input): void {
    const revision = optionalString(input, "RevisionId");
    if (revision !== undefined && revision !== fn.revisionId) throw lambdaErrors.preconditionFailed();
  }

  /** A code or configuration change: new revision and generation, InProgress until it settles. */
  private applyUpdate(
    fn: FunctionRecord,
    changes: Partial<FunctionRecord>,
    deadLetter?: string | null,
  ): FunctionConfiguration {
    const updated: FunctionRecord = {
      ...fn,
      ...changes,
      lastModified: this.env.clock.now(),
      revisionId: randomUUID(),
      generation: randomUUID(),
      lastUpdateStatus: "InProgress",
      lastUpdateStatusReason: "The function is being created.",
      lastUpdateStatusReasonCode: "Creating",
    };
    if (deadLetter === null) delete updated.deadLetterTargetArn;
    else if (deadLetter !== undefined) updated.deadLetterTargetArn = deadLetter;
    this.save(updated);
    // Warm environments run the old code and configuration: the next invocation starts fresh.
    this.deps.executor.retire(functionKey(updated));
    this.scheduleTransition(functionKey(updated));
    return toConfiguration(updated);
  }

  private save(fn: FunctionRecord): void {
    this.deps.store.putFunction(fn);
  }

  /** Pending → Active and InProgress → Successful, shortly after on the emulator clock. */
  private scheduleTransition(key: string): void {
    const fn = this.deps.store.functions.get(key);
    if (!fn || (fn.state !== "Pending" && fn.lastUpdateStatus !== "InProgress")) return;
    this.transitions.get(key)?.cancel();
    const revision = fn.revisionId;
    this.transitions.set(
      key,
      this.env.clock.setTimeout(() => {
        this.transitions.delete(key);
        const current = this.deps.store.functions.get(key);
        if (!current || current.revisionId !== revision) return;
        const settled: FunctionRecord = { ...current, state: "Active", lastUpdateStatus: "Successful" };
        delete settled.stateReason;
        delete settled.stateReasonCode;
        delete settled.lastUpdateStatusReason;
        delete settled.lastUpdateStatusReasonCode;
        // A runtime the emulator cannot run fails the function at once, instead of an invoke that
        // can never answer: State Failed with InvalidRuntime (an update: LastUpdateStatus Failed).
        const problem = runtimeProblem(settled.runtime);
        if (problem) {
          Object.assign(settled, {
            state: "Failed",
            stateReason: problem,
            stateReasonCode: "InvalidRuntime",
          });
          if (current.lastUpdateStatus === "InProgress" && current.state !== "Pending") {
            Object.assign(settled, {
              lastUpdateStatus: "Failed",
              lastUpdateStatusReason: problem,
              lastUpdateStatusReasonCode: "InvalidRuntime",
            });
          }
        }
        try {
          this.save(settled);
        } catch (error) {
          this.env.reportBackgroundError("lambda", error);
        }
      }, this.env.settings.lambdaStateTransitionMs ?? STATE_TRANSITION_MS),
    );
  }

  private specOf(fn: FunctionRecord, version = LATEST): FunctionSpec {
    const env = this.env;
    const endpoint = env.baseUrl();
    // Without the endpoint the function's SDK clients would go to the real *.amazonaws.com. Start-up
    // order makes this impossible (background work starts after the gateway listens); refuse anyway.
    if (!endpoint) throw new Error("refusing to start a function environment before the emulator listens");
    const arn = functionArn(fn);
    const accessKeyId = fn.accountId === env.defaultAccountId ? "test" : fn.accountId;
    return {
      // Each published version runs in environments of its own.
      key: version === LATEST ? functionKey(fn) : versionKey(functionKey(fn), version),
      name: fn.name,
      arn,
      version,
      generation: fn.generation,
      runtime: fn.runtime,
      handler: fn.handler,
      memorySize: fn.memorySize,
      timeoutSeconds: fn.timeout,
      region: fn.region,
      accountId: fn.accountId,
      taskRoot: () => this.deps.code.taskRoot(fn.codeSha256),
      logGroupName: fn.logGroup,
      concurrency: Math.max(
        1,
        Math.min(
          env.settings.lambdaConcurrencyPerFunction,
          fn.reservedConcurrency ?? Number.POSITIVE_INFINITY,
        ),
      ),
      environment: {
        PATH: process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
        LANG: "en_US.UTF-8",
        // Not set by AWS; LocalStack sets it the same way, so SDK clients in handlers reach the emulator.
        AWS_ENDPOINT_URL: endpoint,
        ...fn.environment,
        TZ: ":UTC",
        _HANDLER: fn.handler,
        AWS_REGION: fn.region,
        AWS_DEFAULT_REGION: fn.region,
        AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_VERSION: version,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
        AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
        AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroup,
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_SESSION_TOKEN: "test",
      },
    };
  }

  private recordMetrics(fn: FunctionRecord, result: InvocationResult | undefined, throttled: boolean): void {
    this.deps.metrics
      .record({ functionName: fn.name, accountId: fn.accountId, region: fn.region, result, throttled })
      .catch((error: unknown) => this.env.reportBackgroundError("lambda", error));
  }

  private zipFrom(input: Input, missingMessage = "Please provide a source for function code."): Buffer {
    const code = input["Code"] === undefined ? input : optionalObject(input, "Code");
    if (!code) throw lambdaErrors.invalidParameter(missingMessage);
    if (code["S3Bucket"] !== undefined || code["ImageUri"] !== undefined) {
      throw lambdaErrors.invalidParameter(
        "This emulator takes deployment packages as Code.ZipFile only (S3Bucket/ImageUri are not supported).",
      );
    }
    const zip = readBlob(code["ZipFile"], "code.zipFile");
    if (!zip) throw lambdaErrors.invalidParameter(missingMessage);
    return zip;
  }
}

function readInvokeConfig(input: Input, base: EventInvokeConfig | undefined, now: number): EventInvokeConfig {
  const config: EventInvokeConfig = { ...(base ?? {}), lastModified: now };
  const retries = optionalInteger(input, "MaximumRetryAttempts", 0, MAX_RETRY_ATTEMPTS);
  const age = optionalInteger(
    input,
    "MaximumEventAgeInSeconds",
    MIN_EVENT_AGE_SECONDS,
    MAX_EVENT_AGE_SECONDS,
  );
  if (base === undefined || retries !== undefined) {
    if (retries === undefined) delete config.maximumRetryAttempts;
    else config.maximumRetryAttempts = retries;
  }
  if (base === undefined || age !== undefined) {
    if (age === undefined) delete config.maximumEventAgeInSeconds;
    else config.maximumEventAgeInSeconds = age;
  }
  const destinations = optionalObject(input, "DestinationConfig");
  if (base === undefined || destinations !== undefined) {
    for (const [member, field] of [
      ["OnSuccess", "onSuccess"],
      ["OnFailure", "onFailure"],
    ] as const) {
      const destination = destinations ? optionalObject(destinations, member) : undefined;
      const arn = destination ? optionalString(destination, "Destination") : undefined;
      if (destinations && destination === undefined && base !== undefined) continue;
      if (arn) config[field] = validDestination(arn, `DestinationConfig.${member}.Destination`);
      else delete config[field];
    }
  }
  return config;
}

function invokeConfigOutput(fn: FunctionRecord, config: EventInvokeConfig): FunctionEventInvokeConfig {
  const output: FunctionEventInvokeConfig = {
    LastModified: new Date(config.lastModified),
    FunctionArn: functionArn(fn, LATEST),
    DestinationConfig: {
      OnSuccess: config.onSuccess ? { Destination: config.onSuccess } : {},
      OnFailure: config.onFailure ? { Destination: config.onFailure } : {},
    },
  };
  if (config.maximumRetryAttempts !== undefined) output.MaximumRetryAttempts = config.maximumRetryAttempts;
  if (config.maximumEventAgeInSeconds !== undefined)
    output.MaximumEventAgeInSeconds = config.maximumEventAgeInSeconds;
  return output;
}

function payloadText(payload: InvokeInput["Payload"]): string {
  if (payload === undefined || payload === null) return "";
  if (typeof payload === "string") return payload;
  return Buffer.from(payload).toString("utf8");
}

function assertJson(payload: string): void {
  if (payload.trim() === "") return;
  try {
    JSON.parse(payload);
  } catch (error) {
    throw lambdaErrors.invalidRequestContent(
      `Could not parse request body into json: Could not parse payload into json: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function decodeClientContext(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (value.length > MAX_CLIENT_CONTEXT_BYTES) {
    throw lambdaErrors.invalidParameter(
      `Client context must be ${MAX_CLIENT_CONTEXT_BYTES} bytes or less (base64), got ${value.length}.`,
    );
  }
  const decoded = Buffer.from(value, "base64").toString("utf8");
  try {
    JSON.parse(decoded);
  } catch {
    throw lambdaErrors.invalidRequestContent("Client context must be a valid Base64-encoded JSON object.");
  }
  return decoded;
}

function encodeMarker(name: string): string {
  return Buffer.from(JSON.stringify({ after: name })).toString("base64url");
}

function decodeMarker(marker: string | undefined): string | undefined {
  if (marker === undefined || marker === "") return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(marker, "base64url").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // fall through to the error
  }
  throw lambdaErrors.invalidParameter("The Marker is not valid; pass NextMarker from the previous page.");
}

/** Environments of a published version are keyed apart from $LATEST's. */
function versionKey(key: string, version: string): string {
  return `${key}:${version}`;
}

function aliasName(name: string): string {
  if (name.length > 128 || !ALIAS_PATTERN.test(name)) {
    throw lambdaErrors.validation(
      "name",
      name,
      "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
    );
  }
  return name;
}

function aliasOutput(fn: FunctionRecord, alias: AliasRecord): AliasConfiguration {
  return {
    AliasArn: functionArn(fn, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(alias.weights ? { RoutingConfig: { AdditionalVersionWeights: { ...alias.weights } } } : {}),
    RevisionId: alias.revisionId,
  };
}

function encodeIndexMarker(index: number): string {
  return Buffer.from(JSON.stringify({ index })).toString("base64url");
}

function decodeIndexMarker(marker: string | undefined): number {
  if (marker === undefined || marker === "") return 0;
  try {
    const parsed = JSON.parse(Buffer.from(marker, "base64url").toString("utf8")) as { index?: unknown };
    if (typeof parsed.index === "number" && Number.isInteger(parsed.index) && parsed.index >= 0)
      return parsed.index;
  } catch {
    // fall through to the error
  }
  throw lambdaErrors.invalidParameter("The Marker is not valid; pass NextMarker from the previous page.");
}
