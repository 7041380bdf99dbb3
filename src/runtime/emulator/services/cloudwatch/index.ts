import type { TimerHandle } from "../../core/clock.js";
import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { isQueryRequest } from "../../protocol/query.js";
import { restJsonResponse } from "../../protocol/rest.js";
import { AlarmActionRunner, configurationItem } from "./actions.js";
import { evaluateAlarm } from "./alarms.js";
import { Dashboards } from "./dashboards.js";
import { describeAlarmHistory } from "./history.js";
import * as input from "./input.js";
import { COMPACT_AFTER_ENTRIES, EVALUATION_INTERVAL_MS } from "./limits.js";
import { getMetricData } from "./metric-data.js";
import { handleCbor, handleJson, handleQuery } from "./protocols.js";
import { CloudWatchProvider, type CallOptions } from "./provider.js";
import { CloudWatchState, scopeOf, type CloudWatchEntry, type CloudWatchSnapshot } from "./store.js";

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
  const dashboards = new Dashboards(state, env.clock, commit);
  const runner = new AlarmActionRunner(env, (scope, item) => commit({ t: "history", scope, item }));
  const alarmActions = withAlarmActions(state, runner, env.clock.now.bind(env.clock), commit);
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
    GetMetricData: async (i, c) => getMetricData(i, c, state.metrics),
    PutDashboard: (i, c) => dashboards.putDashboard(i, c),
    GetDashboard: (i, c) => dashboards.getDashboard(i, c),
    ListDashboards: (i, c) => dashboards.listDashboards(i, c),
    DeleteDashboards: (i, c) => dashboards.deleteDashboards(i, c),
    TagResource: (i, c) => provider.tagResource(i, c),
    UntagResource: (i, c) => provider.untagResource(i, c),
    ListTagsForResource: (i, c) => provider.listTagsForResource(i, c),
    ...alarmActions(provider),
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
      const old = { state: alarm.state, reason: alarm.stateReason };
      commit({
        t: "state",
        scope: alarm.scope,
        name: alarm.name,
        state: result.state,
        reason: result.reason,
        reasonData: result.reasonData,
        at: now,
      });
      runner.stateChanged(state.alarm(alarm.scope, alarm.name)!, old, now);
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
      await runner.idle();
      if (store.enabled) store.compact(state.toSnapshot());
    },
    /** POST /_emulator/cloudwatch/evaluate runs an alarm evaluation pass now (no waiting for the minute). */
    async devHandle(request: EmulatorRequest, subpath: string): Promise<EmulatorResponse | undefined> {
      if (subpath === "/evaluate" && request.method === "POST") {
        const changed = evaluate();
        // The actions of the changes have run (or failed) when the answer comes.
        await runner.idle();
        return restJsonResponse(200, { changed });
      }
      return undefined;
    },
  };
}

/**
 * The operations whose effects reach the alarm history and the alarm actions, wrapped around the
 * provider's: PutMetricAlarm (ConfigurationUpdate created/updated), DeleteAlarms (deleted),
 * SetAlarmState (a state change runs the new state's actions, as an evaluated one does), and
 * DescribeAlarmHistory.
 */
function withAlarmActions(
  state: CloudWatchState,
  runner: AlarmActionRunner,
  now: () => number,
  commit: (entry: CloudWatchEntry) => void,
) {
  const record = (scope: string, item: ReturnType<typeof configurationItem>) =>
    commit({ t: "history", scope, item });
  return (provider: CloudWatchProvider): Record<string, Operation> => ({
    PutMetricAlarm: async (i, c) => {
      const scope = scopeOf(c.accountId, c.region);
      const name = input.str(i as Record<string, unknown>, "AlarmName") ?? "";
      const existed = state.alarm(scope, name) !== undefined;
      const output = await provider.putMetricAlarm(i, c);
      const alarm = state.alarm(scope, name);
      if (alarm) record(scope, configurationItem(alarm, existed ? "Update" : "Create", now()));
      return output;
    },
    DeleteAlarms: async (i, c) => {
      const scope = scopeOf(c.accountId, c.region);
      const names = input.stringList(i as Record<string, unknown>, "AlarmNames") ?? [];
      const before = names.map((n) => state.alarm(scope, n)).filter((a) => a !== undefined);
      const output = await provider.deleteAlarms(i, c);
      for (const alarm of before) record(scope, configurationItem(alarm, "Delete", now()));
      return output;
    },
    SetAlarmState: async (i, c) => {
      const scope = scopeOf(c.accountId, c.region);
      const name = input.str(i as Record<string, unknown>, "AlarmName") ?? "";
      const before = state.alarm(scope, name);
      const old = before ? { state: before.state, reason: before.stateReason } : undefined;
      const output = await provider.setAlarmState(i, c);
      const after = state.alarm(scope, name);
      if (old && after && after.state !== old.state) runner.stateChanged(after, old, after.stateUpdated);
      return output;
    },
    DescribeAlarmHistory: async (i, c) =>
      describeAlarmHistory(
        state.history,
        scopeOf(c.accountId, c.region),
        i as Record<string, unknown>,
        now(),
      ),
  });
}
