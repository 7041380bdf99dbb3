import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { handleAwsJson } from "../../protocol/json.js";
import { ParameterSealer } from "./crypto.js";
import { SsmProvider } from "./provider.js";
import { SsmState, type SsmEntry, type SsmSnapshot } from "./store.js";

const COMPACT_AFTER_ENTRIES = 5_000;

/**
 * SSM Parameter Store over awsJson 1.1 (`X-Amz-Target: AmazonSSM.<Op>`, what the JS SDK v3 and
 * the AWS CLI send): String, StringList and SecureString parameters with versions, labels, tags,
 * hierarchies and filters; SecureString values sealed before they are journaled. See README.md.
 */
export default function createSsmService(env: ServiceEnv): ServiceModule {
  const state = new SsmState();
  const store = env.store<SsmSnapshot, SsmEntry>("ssm");
  const commit = (entry: SsmEntry) => {
    store.append(entry);
    state.apply(entry);
    if (store.journalLength >= COMPACT_AFTER_ENTRIES) store.compact(state.toSnapshot());
  };
  const provider = new SsmProvider(state, env.clock, new ParameterSealer(store.directory), commit);
  const operations: Record<string, Operation> = {
    PutParameter: (i, c) => provider.putParameter(i, c),
    GetParameter: (i, c) => provider.getParameter(i, c),
    GetParameters: (i, c) => provider.getParameters(i, c),
    GetParametersByPath: (i, c) => provider.getParametersByPath(i, c),
    DeleteParameter: (i, c) => provider.deleteParameter(i, c),
    DeleteParameters: (i, c) => provider.deleteParameters(i, c),
    DescribeParameters: (i, c) => provider.describeParameters(i, c),
    GetParameterHistory: (i, c) => provider.getParameterHistory(i, c),
    LabelParameterVersion: (i, c) => provider.labelParameterVersion(i, c),
    UnlabelParameterVersion: (i, c) => provider.unlabelParameterVersion(i, c),
    AddTagsToResource: (i, c) => provider.addTagsToResource(i, c),
    RemoveTagsFromResource: (i, c) => provider.removeTagsFromResource(i, c),
    ListTagsForResource: (i, c) => provider.listTagsForResource(i, c),
  };
  return {
    name: "ssm",
    operations,
    handle: (request: EmulatorRequest): Promise<EmulatorResponse> =>
      handleAwsJson(request, operations, { version: "1.1", errorNamespace: "com.amazonaws.ssm" }, "ssm"),
    async start() {
      const { snapshot, entries } = store.load();
      if (snapshot) state.restore(snapshot);
      for (const entry of entries) state.apply(entry);
    },
    async stop() {
      if (store.enabled) store.compact(state.toSnapshot());
    },
    health() {
      return { state: "running", detail: `${state.count()} parameters` };
    },
  };
}
