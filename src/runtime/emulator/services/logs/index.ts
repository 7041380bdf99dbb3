import type { TimerHandle } from "../../core/clock.js";
import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { handleAwsJson } from "../../protocol/json.js";
import { COMPACT_AFTER_ENTRIES, DAY_MS, RETENTION_SWEEP_INTERVAL_MS } from "./limits.js";
import { LogsProvider } from "./provider.js";
import { LogsState, type LogsEntry, type LogsSnapshot } from "./store.js";

/** CloudWatch Logs over awsJson 1.1 (`X-Amz-Target: Logs_20140328.<Op>`). */
export default function createLogsService(env: ServiceEnv): ServiceModule {
  const state = new LogsState();
  const store = env.store<LogsSnapshot, LogsEntry>("logs");
  const commit = (entry: LogsEntry) => {
    store.append(entry);
    state.apply(entry);
    if (store.journalLength >= COMPACT_AFTER_ENTRIES) store.compact(state.toSnapshot());
  };
  const provider = new LogsProvider(state, env.clock, commit);
  const operations: Record<string, Operation> = {
    CreateLogGroup: (i, c) => provider.createLogGroup(i, c),
    DeleteLogGroup: (i, c) => provider.deleteLogGroup(i, c),
    DescribeLogGroups: (i, c) => provider.describeLogGroups(i, c),
    PutRetentionPolicy: (i, c) => provider.putRetentionPolicy(i, c),
    DeleteRetentionPolicy: (i, c) => provider.deleteRetentionPolicy(i, c),
    CreateLogStream: (i, c) => provider.createLogStream(i, c),
    DeleteLogStream: (i, c) => provider.deleteLogStream(i, c),
    DescribeLogStreams: (i, c) => provider.describeLogStreams(i, c),
    PutLogEvents: (i, c) => provider.putLogEvents(i, c),
    GetLogEvents: (i, c) => provider.getLogEvents(i, c),
    FilterLogEvents: (i, c) => provider.filterLogEvents(i, c),
    TagLogGroup: (i, c) => provider.tagLogGroup(i, c),
    UntagLogGroup: (i, c) => provider.untagLogGroup(i, c),
    ListTagsLogGroup: (i, c) => provider.listTagsLogGroup(i, c),
    TagResource: (i, c) => provider.tagResource(i, c),
    UntagResource: (i, c) => provider.untagResource(i, c),
    ListTagsForResource: (i, c) => provider.listTagsForResource(i, c),
  };

  let sweep: TimerHandle | undefined;
  const scheduleSweep = () => {
    sweep = env.clock.setTimeout(() => {
      try {
        for (const group of state.allGroups()) state.expire(group, env.clock.now(), DAY_MS);
      } catch (error) {
        env.reportBackgroundError("logs", error);
      }
      scheduleSweep();
    }, RETENTION_SWEEP_INTERVAL_MS);
  };

  return {
    name: "logs",
    operations,
    handle: (request: EmulatorRequest): Promise<EmulatorResponse> =>
      handleAwsJson(request, operations, { version: "1.1", errorNamespace: "com.amazonaws.logs" }, "logs"),
    async start() {
      const { snapshot, entries } = store.load();
      if (snapshot) state.restore(snapshot);
      for (const entry of entries) state.apply(entry);
    },
    async run() {
      scheduleSweep();
    },
    async stop() {
      sweep?.cancel();
      sweep = undefined;
      if (store.enabled) store.compact(state.toSnapshot());
    },
  };
}
