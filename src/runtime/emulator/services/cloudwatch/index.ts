import type { TimerHandle } from "../../core/clock.js";
import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { isQueryRequest } from "../../protocol/query.js";
import { restJsonResponse } from "../../protocol/rest.js";
import { evaluateAlarm } from "./alarms.js";
import { COMPACT_AFTER_ENTRIES, EVALUATION_INTERVAL_MS } from "./limits.js";
import { handleCbor, handleJson, handleQuery } from "./protocols.js";
import { CloudWatchProvider, type CallOptions } from "./provider.js";
import { CloudWatchState, type CloudWatchEntry, type CloudWatchSnapshot } from "./store.js";

/**
 * CloudWatch metrics and alarms: awsJson 1.0 query-compatible (JS SDK v3, current botocore), the
 * query protocol (older SDKs and CLIs) and Smithy RPCv2 CBOR (newer Java/Go SDKs), plus a background evaluator that moves alarms between OK, ALARM and
 * INSUFFICIENT_DATA once a minute on the emulator clock.
 */
export default function createCloudWatchService(env: ServiceEnv): ServiceModule {
  const state = new CloudWatchState();
  const store = env.store<CloudWatchSnapshot, CloudWatchEntry>("cloudwatch");
  const commit = (entry: CloudWatchEntry) => {
    store.append(entry);
    state.apply(entry);
    if (store.journalLength >= COMPACT_AFTER_ENTRIES) store.compact(state.toSnapshot());
  };
  const provider = new CloudWatchProvider(state, env.clock, commit);
  const build = (options: CallOptions): Record<string, Operation> => ({
    PutMetricAlarm: (i, c) => provider.putMetricAlarm(i, c),
    DescribeAlarms: (i, c) => provider.describeAlarms(i, c),
    DescribeAlarmsForMetric: (i, c) => provider.describeAlarmsForMetric(i, c),
    DeleteAlarms: (i, c) => provider.deleteAlarms(i, c),
    SetAlarmState: (i, c) => provider.setAlarmState(i, c),
    EnableAlarmActions: (i, c) => provider.enableAlarmActions(i, c),
    DisableAlarmActions: (i, c) => provider.disableAlarmActions(i, c),
    PutMetricData: (i, c) => provider.putMetricData(i, c, options),
    GetMetricStatistics: (i, c) => provider.getMetricStatistics(i, c),
    ListMetrics: (i, c) => provider.listMetrics(i, c),
    TagResource: (i, c) => provider.tagResource(i, c),
    UntagResource: (i, c) => provider.untagResource(i, c),
    ListTagsForResource: (i, c) => provider.listTagsForResource(i, c),
  });
  // Other emulator services publish AWS/* metrics in-process; clients over HTTP may not.
  const operations = build({ internal: true });
  const httpOperations = build({ internal: false });

  /** One evaluation pass over every alarm; journals only real state changes. */
  const evaluate = () => {
    const now = env.clock.now();
    state.metrics.expire(now);
    let changed = 0;
    for (const alarm of state.allAlarms()) {
      const result = evaluateAlarm(alarm, state.metrics, now);
      if (!result || result.state === alarm.state) continue;
      commit({
        t: "state",
        scope: alarm.scope,
        name: alarm.name,
        state: result.state,
        reason: result.reason,
        reasonData: result.reasonData,
        at: now,
      });
      changed++;
    }
    return changed;
  };

  let timer: TimerHandle | undefined;
  const schedule = () => {
    const now = env.clock.now();
    // Evaluate at the top of each minute, as CloudWatch does.
    const delay = EVALUATION_INTERVAL_MS - (now % EVALUATION_INTERVAL_MS) || EVALUATION_INTERVAL_MS;
    timer = env.clock.setTimeout(() => {
      try {
        evaluate();
      } catch (error) {
        env.reportBackgroundError("cloudwatch", error);
      }
      schedule();
    }, delay);
  };

  return {
    name: "cloudwatch",
    operations,
    async handle(request: EmulatorRequest): Promise<EmulatorResponse> {
      if (request.path.startsWith("/service/GraniteServiceVersion20100801/operation/")) {
        return handleCbor(request, httpOperations);
      }
      if (request.headers["x-amz-target"]) return handleJson(request, httpOperations);
      if (isQueryRequest(request)) return handleQuery(request, httpOperations);
      return handleJson(request, httpOperations);
    },
    async start() {
      const { snapshot, entries } = store.load();
      if (snapshot) state.restore(snapshot);
      for (const entry of entries) state.apply(entry);
    },
    async run() {
      schedule();
    },
    async stop() {
      timer?.cancel();
      timer = undefined;
      if (store.enabled) store.compact(state.toSnapshot());
    },
    /** POST /_emulator/cloudwatch/evaluate runs an alarm evaluation pass now (no waiting for the minute). */
    async devHandle(request: EmulatorRequest, subpath: string): Promise<EmulatorResponse | undefined> {
      if (subpath === "/evaluate" && request.method === "POST") {
        return restJsonResponse(200, { changed: evaluate() });
      }
      return undefined;
    },
  };
}
