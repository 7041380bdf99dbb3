import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { ServiceError } from "../../core/errors.js";
import { restJsonError } from "../../protocol/rest.js";
import { AsyncInvoker } from "./async-invocations.js";
import { CodeStore } from "./code-store.js";
import { Destinations } from "./destinations.js";
import { createEsmEngine } from "./esm/index.js";
import { ProcessExecutor } from "./executor/process-executor.js";
import { LambdaFunctions } from "./functions.js";
import type { LambdaJournalEntry, LambdaSnapshot } from "./models.js";
import { functionKey } from "./names.js";
import { LambdaProvider, type InvokeInput } from "./provider.js";
import { lambdaRoutes } from "./routes.js";
import { LambdaStore } from "./store.js";
import { CloudWatchLogSink, LambdaMetrics } from "./telemetry.js";

/**
 * Lambda over restJson1: functions from zips run as Node processes (executor/), synchronous and
 * asynchronous invocation with retries, destinations and DLQs, and the event source mappings (esm/).
 */
export default function createLambdaService(env: ServiceEnv): ServiceModule {
  const store = new LambdaStore(env.store<LambdaSnapshot, LambdaJournalEntry>("lambda"));
  const code = new CodeStore(store.directory);
  const executor = new ProcessExecutor({
    clock: env.clock,
    logs: new CloudWatchLogSink(env),
    reportError: (error) => env.reportBackgroundError("lambda", error),
  });
  const provider = new LambdaProvider({ env, store, code, executor, metrics: new LambdaMetrics(env) });
  const asyncInvoker = new AsyncInvoker({
    env,
    store,
    destinations: new Destinations(env),
    execute: (fn, request) => provider.execute(fn, request),
  });
  provider.useAsyncInvoker(asyncInvoker);
  const functions = new LambdaFunctions(env, provider);
  const esm = createEsmEngine({
    env,
    invoke: functions.invoke,
    functionArn: functions.functionArn,
    functionTimeout: functions.timeout,
  });

  const operations: Record<string, Operation> = {
    CreateFunction: (i, c) => provider.createFunction(i, c),
    GetFunction: (i, c) => provider.getFunction(i, c),
    GetFunctionConfiguration: (i, c) => provider.getFunctionConfiguration(i, c),
    ListFunctions: (i, c) => provider.listFunctions(i, c),
    DeleteFunction: (i, c) => provider.deleteFunction(i, c),
    UpdateFunctionCode: (i, c) => provider.updateFunctionCode(i, c),
    UpdateFunctionConfiguration: (i, c) => provider.updateFunctionConfiguration(i, c),
    Invoke: (i: InvokeInput, c) => provider.invoke(i, c),
    AddPermission: (i, c) => provider.addPermission(i, c),
    GetPolicy: (i, c) => provider.getPolicy(i, c),
    RemovePermission: (i, c) => provider.removePermission(i, c),
    PutFunctionEventInvokeConfig: (i, c) => provider.putFunctionEventInvokeConfig(i, c),
    UpdateFunctionEventInvokeConfig: (i, c) => provider.updateFunctionEventInvokeConfig(i, c),
    GetFunctionEventInvokeConfig: (i, c) => provider.getFunctionEventInvokeConfig(i, c),
    DeleteFunctionEventInvokeConfig: (i, c) => provider.deleteFunctionEventInvokeConfig(i, c),
    ListFunctionEventInvokeConfigs: (i, c) => provider.listFunctionEventInvokeConfigs(i, c),
    PutFunctionConcurrency: (i, c) => provider.putFunctionConcurrency(i, c),
    GetFunctionConcurrency: (i, c) => provider.getFunctionConcurrency(i, c),
    DeleteFunctionConcurrency: (i, c) => provider.deleteFunctionConcurrency(i, c),
    TagResource: (i, c) => provider.tagResource(i, c),
    UntagResource: (i, c) => provider.untagResource(i, c),
    ListTags: (i, c) => provider.listTags(i, c),
    GetAccountSettings: (i, c) => provider.getAccountSettings(i, c),
    PublishVersion: (i, c) => provider.publishVersion(i, c),
    ListVersionsByFunction: (i, c) => provider.listVersionsByFunction(i, c),
    CreateAlias: (i, c) => provider.createAlias(i, c),
    GetAlias: (i, c) => provider.getAlias(i, c),
    UpdateAlias: (i, c) => provider.updateAlias(i, c),
    DeleteAlias: (i, c) => provider.deleteAlias(i, c),
    ListAliases: (i, c) => provider.listAliases(i, c),
    ...esm.operations,
  };
  const router = lambdaRoutes(operations);
  esm.routes(router);

  return {
    name: "lambda",
    operations,
    async handle(request: EmulatorRequest): Promise<EmulatorResponse> {
      try {
        const answer = await router.dispatch(request);
        if (answer) return answer;
        throw new ServiceError(
          "UnknownOperationException",
          `No Lambda operation for ${request.method} ${request.path}`,
          404,
        );
      } catch (error) {
        return restJsonError(error, request.context.requestId);
      }
    },
    /** `/_emulator/lambda/code/<CodeSha256>`: the zip GetFunction's Code.Location points at. */
    async devHandle(request: EmulatorRequest, subpath: string): Promise<EmulatorResponse | undefined> {
      const match = /^\/code\/([^/]+)$/.exec(subpath);
      if (!match || request.method !== "GET") return undefined;
      const zip = code.read(decodeURIComponent(match[1] ?? ""));
      if (!zip) return undefined;
      return { status: 200, headers: { "content-type": "application/zip" }, body: zip };
    },
    async start() {
      store.load();
      esm.load();
    },
    /** After the gateway listens: function environments are only ever created with its endpoint. */
    async run() {
      provider.settleTransitions();
      asyncInvoker.start();
      await esm.start();
    },
    async stop() {
      await esm.stop();
      asyncInvoker.stop();
      provider.stop();
      await executor.stop();
      await asyncInvoker.settled();
      store.compact();
      code.close();
    },
    health() {
      let busy = 0;
      let idle = 0;
      for (const fn of store.functions.values()) {
        const counts = executor.environments(functionKey(fn));
        busy += counts.busy;
        idle += counts.idle;
      }
      return {
        state: "running",
        detail: `${store.functions.size} functions, ${busy} busy and ${idle} idle execution environments, ${store.events.size} queued async events`,
      };
    },
  };
}
