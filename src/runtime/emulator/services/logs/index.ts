import type { TimerHandle } from "../../core/clock.js";
import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { handleAwsJson } from "../../protocol/json.js";
import { COMPACT_AFTER_ENTRIES, DAY_MS, RETENTION_SWEEP_INTERVAL_MS } from "./limits.js";
import { AccountResources } from "./account-resources.js";
import { LogFilters } from "./filters.js";
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
  // Subscription and metric filters act on events once PutLogEvents stored them.
  const provider = new LogsProvider(state, env.clock, commit, (group, stream, events) =>
    f.onStored(group, stream, events),
  );
  const f = new LogFilters(state, env, commit, (context, name) => provider.requireGroup(context, name));
  const account = new AccountResources(state, env.clock, commit);
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
    PutSubscriptionFilter: (i, c) => f.putSubscriptionFilter(i, c),
    DescribeSubscriptionFilters: (i, c) => f.describeSubscriptionFilters(i, c),
    DeleteSubscriptionFilter: (i, c) => f.deleteSubscriptionFilter(i, c),
    PutMetricFilter: (i, c) => f.putMetricFilter(i, c),
    DescribeMetricFilters: (i, c) => f.describeMetricFilters(i, c),
    DeleteMetricFilter: (i, c) => f.deleteMetricFilter(i, c),
    TestMetricFilter: (i) => f.testMetricFilter(i),
    PutResourcePolicy: (i, c) => account.putResourcePolicy(i, c),
    DescribeResourcePolicies: (i, c) => account.describeResourcePolicies(i, c),
    DeleteResourcePolicy: (i, c) => account.deleteResourcePolicy(i, c),
    PutDeliverySource: (i, c) => account.putDeliverySource(i, c),
    GetDeliverySource: (i, c) => account.getDeliverySource(i, c),
    DescribeDeliverySources: (i, c) => account.describeDeliverySources(i, c),
    DeleteDeliverySource: (i, c) => account.deleteDeliverySource(i, c),
    PutDeliveryDestination: (i, c) => account.putDeliveryDestination(i, c),
    GetDeliveryDestination: (i, c) => account.getDeliveryDestination(i, c),
    DescribeDeliveryDestinations: (i, c) => account.describeDeliveryDestinations(i, c),
    DeleteDeliveryDestination: (i, c) => account.deleteDeliveryDestination(i, c),
    PutDeliveryDestinationPolicy: (i, c) => account.putDeliveryDestinationPolicy(i, c),
    GetDeliveryDestinationPolicy: (i, c) => account.getDeliveryDestinationPolicy(i, c),
    DeleteDeliveryDestinationPolicy: (i, c) => account.deleteDeliveryDestinationPolicy(i, c),
    CreateDelivery: (i, c) => account.createDelivery(i, c),
    GetDelivery: (i, c) => account.getDelivery(i, c),
    DescribeDeliveries: (i, c) => account.describeDeliveries(i, c),
    DeleteDelivery: (i, c) => account.deleteDelivery(i, c),
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
