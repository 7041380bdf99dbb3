import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { queryParams, toXml, xmlError, xmlResponse } from "../../protocol/query.js";
import { iamErrors } from "./errors.js";
import { COMPACT_AFTER_ENTRIES } from "./limits.js";
import { IamProvider } from "./provider.js";
import { IamState, type IamEntry, type IamSnapshot } from "./store.js";

const NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";

/** IAM over the query protocol (`Action=<Op>&Version=2010-05-08`, `member.N` lists, XML out). */
export default function createIamService(env: ServiceEnv): ServiceModule {
  const state = new IamState();
  const store = env.store<IamSnapshot, IamEntry>("iam");
  const commit = (entry: IamEntry) => {
    store.append(entry);
    state.apply(entry);
    if (store.journalLength >= COMPACT_AFTER_ENTRIES) store.compact(state.toSnapshot());
  };
  const provider = new IamProvider(state, env.clock, commit);
  const operations: Record<string, Operation> = {
    CreateRole: (i, c) => provider.createRole(i, c),
    GetRole: (i, c) => provider.getRole(i, c),
    DeleteRole: (i, c) => provider.deleteRole(i, c),
    ListRoles: (i, c) => provider.listRoles(i, c),
    UpdateRole: (i, c) => provider.updateRole(i, c),
    UpdateAssumeRolePolicy: (i, c) => provider.updateAssumeRolePolicy(i, c),
    PutRolePolicy: (i, c) => provider.putRolePolicy(i, c),
    GetRolePolicy: (i, c) => provider.getRolePolicy(i, c),
    DeleteRolePolicy: (i, c) => provider.deleteRolePolicy(i, c),
    ListRolePolicies: (i, c) => provider.listRolePolicies(i, c),
    AttachRolePolicy: (i, c) => provider.attachRolePolicy(i, c),
    DetachRolePolicy: (i, c) => provider.detachRolePolicy(i, c),
    ListAttachedRolePolicies: (i, c) => provider.listAttachedRolePolicies(i, c),
    TagRole: (i, c) => provider.tagRole(i, c),
    UntagRole: (i, c) => provider.untagRole(i, c),
    ListRoleTags: (i, c) => provider.listRoleTags(i, c),
  };

  return {
    name: "iam",
    operations,
    async handle(request: EmulatorRequest): Promise<EmulatorResponse> {
      const requestId = request.context.requestId;
      try {
        const params = queryParams(request);
        const action = params["Action"] ?? "";
        const operation = operations[action];
        if (!operation) throw iamErrors.invalidAction(action || "(no Action)");
        const output = (await operation(decodeQueryInput(params), request.context)) as Record<
          string,
          unknown
        >;
        const inner = Object.keys(output).length > 0 ? toXml(output, { flattened: false }) : undefined;
        return xmlResponse(action, NAMESPACE, inner, requestId);
      } catch (error) {
        return xmlError(error, NAMESPACE, requestId);
      }
    },
    async start() {
      const { snapshot, entries } = store.load();
      if (snapshot) state.restore(snapshot);
      for (const entry of entries) state.apply(entry);
    },
    async stop() {
      if (store.enabled) store.compact(state.toSnapshot());
    },
  };
}

/**
 * Turns query parameters into the SDK's input shape: `Tags.member.1.Key=k` becomes
 * `Tags: [{ Key: "k" }]`, `TagKeys.member.1=k` becomes `TagKeys: ["k"]`; scalars stay strings.
 */
export function decodeQueryInput(params: Record<string, string>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const lists = new Map<string, Map<number, unknown>>();
  for (const [key, value] of Object.entries(params)) {
    if (key === "Action" || key === "Version") continue;
    const member = /^(\w+)\.member\.(\d+)(?:\.(\w+))?$/.exec(key);
    if (!member) {
      input[key] = value;
      continue;
    }
    const [, list, index, field] = member as unknown as [string, string, string, string | undefined];
    let items = lists.get(list);
    if (!items) lists.set(list, (items = new Map()));
    if (field === undefined) items.set(Number(index), value);
    else {
      const item = (items.get(Number(index)) as Record<string, string> | undefined) ?? {};
      item[field] = value;
      items.set(Number(index), item);
    }
  }
  for (const [list, items] of lists) {
    input[list] = [...items.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }
  return input;
}
