import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { decodeQueryMembers, queryParams, toXml, xmlError, xmlResponse } from "../../protocol/query.js";
import { AccountSettings } from "./account.js";
import { IamCore } from "./core.js";
import { EntityPolicies } from "./entity-policies.js";
import { iamErrors } from "./errors.js";
import { COMPACT_AFTER_ENTRIES } from "./limits.js";
import { ManagedPolicies } from "./managed-policies.js";
import { Roles } from "./roles.js";
import { IamState, type IamEntry, type IamSnapshot } from "./store.js";
import { Users } from "./users.js";

const NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";

/**
 * Operations whose output is a structure with no members (UpdateRole): IAM still answers an empty
 * `<UpdateRoleResult/>`, and botocore's query parser fails without it. Operations with no output
 * (DeleteRole, TagRole, ...) answer no Result element.
 */
const EMPTY_RESULT_ACTIONS = new Set(["UpdateRole"]);

/** IAM over the query protocol (`Action=<Op>&Version=2010-05-08`, `member.N` lists, XML out). */
export default function createIamService(env: ServiceEnv): ServiceModule {
  const state = new IamState();
  const store = env.store<IamSnapshot, IamEntry>("iam");
  const commit = (entry: IamEntry) => {
    store.append(entry);
    state.apply(entry);
    if (store.journalLength >= COMPACT_AFTER_ENTRIES) store.compact(state.toSnapshot());
  };
  const core = new IamCore(state, env.clock, commit, env.credentials);
  const roles = new Roles(core);
  const users = new Users(core);
  const policies = new ManagedPolicies(core);
  const attached = new EntityPolicies(core);
  const account = new AccountSettings(core);
  type Op = (i: Record<string, unknown>, c: Parameters<Operation>[1]) => Promise<unknown>;
  const ops: Record<string, Op> = {
    CreateRole: (i, c) => roles.createRole(i, c),
    GetRole: (i, c) => roles.getRole(i, c),
    DeleteRole: (i, c) => roles.deleteRole(i, c),
    ListRoles: (i, c) => roles.listRoles(i, c),
    UpdateRole: (i, c) => roles.updateRole(i, c),
    UpdateRoleDescription: (i, c) => roles.updateRoleDescription(i, c),
    UpdateAssumeRolePolicy: (i, c) => roles.updateAssumeRolePolicy(i, c),
    TagRole: (i, c) => roles.tagRole(i, c),
    UntagRole: (i, c) => roles.untagRole(i, c),
    ListRoleTags: (i, c) => roles.listRoleTags(i, c),
    CreateServiceLinkedRole: (i, c) => roles.createServiceLinkedRole(i, c),
    DeleteServiceLinkedRole: (i, c) => roles.deleteServiceLinkedRole(i, c),
    GetServiceLinkedRoleDeletionStatus: (i, c) => roles.getServiceLinkedRoleDeletionStatus(i, c),
    CreateInstanceProfile: (i, c) => roles.createInstanceProfile(i, c),
    GetInstanceProfile: (i, c) => roles.getInstanceProfile(i, c),
    DeleteInstanceProfile: (i, c) => roles.deleteInstanceProfile(i, c),
    ListInstanceProfiles: (i, c) => roles.listInstanceProfiles(i, c),
    ListInstanceProfilesForRole: (i, c) => roles.listInstanceProfilesForRole(i, c),
    AddRoleToInstanceProfile: (i, c) => roles.addRoleToInstanceProfile(i, c),
    RemoveRoleFromInstanceProfile: (i, c) => roles.removeRoleFromInstanceProfile(i, c),
    TagInstanceProfile: (i, c) => roles.tagInstanceProfile(i, c),
    UntagInstanceProfile: (i, c) => roles.untagInstanceProfile(i, c),
    ListInstanceProfileTags: (i, c) => roles.listInstanceProfileTags(i, c),
    CreateUser: (i, c) => users.createUser(i, c),
    GetUser: (i, c) => users.getUser(i, c),
    ListUsers: (i, c) => users.listUsers(i, c),
    UpdateUser: (i, c) => users.updateUser(i, c),
    DeleteUser: (i, c) => users.deleteUser(i, c),
    TagUser: (i, c) => users.tagUser(i, c),
    UntagUser: (i, c) => users.untagUser(i, c),
    ListUserTags: (i, c) => users.listUserTags(i, c),
    CreateAccessKey: (i, c) => users.createAccessKey(i, c),
    ListAccessKeys: (i, c) => users.listAccessKeys(i, c),
    UpdateAccessKey: (i, c) => users.updateAccessKey(i, c),
    DeleteAccessKey: (i, c) => users.deleteAccessKey(i, c),
    CreateGroup: (i, c) => users.createGroup(i, c),
    GetGroup: (i, c) => users.getGroup(i, c),
    ListGroups: (i, c) => users.listGroups(i, c),
    UpdateGroup: (i, c) => users.updateGroup(i, c),
    DeleteGroup: (i, c) => users.deleteGroup(i, c),
    AddUserToGroup: (i, c) => users.addUserToGroup(i, c),
    RemoveUserFromGroup: (i, c) => users.removeUserFromGroup(i, c),
    ListGroupsForUser: (i, c) => users.listGroupsForUser(i, c),
    CreatePolicy: (i, c) => policies.createPolicy(i, c),
    GetPolicy: (i, c) => policies.getPolicy(i, c),
    ListPolicies: (i, c) => policies.listPolicies(i, c),
    DeletePolicy: (i, c) => policies.deletePolicy(i, c),
    CreatePolicyVersion: (i, c) => policies.createPolicyVersion(i, c),
    GetPolicyVersion: (i, c) => policies.getPolicyVersion(i, c),
    ListPolicyVersions: (i, c) => policies.listPolicyVersions(i, c),
    DeletePolicyVersion: (i, c) => policies.deletePolicyVersion(i, c),
    SetDefaultPolicyVersion: (i, c) => policies.setDefaultPolicyVersion(i, c),
    TagPolicy: (i, c) => policies.tagPolicy(i, c),
    UntagPolicy: (i, c) => policies.untagPolicy(i, c),
    ListPolicyTags: (i, c) => policies.listPolicyTags(i, c),
    ListEntitiesForPolicy: (i, c) => policies.listEntitiesForPolicy(i, c),
    UpdateAccountPasswordPolicy: (i, c) => account.updateAccountPasswordPolicy(i, c),
    GetAccountPasswordPolicy: (i, c) => account.getAccountPasswordPolicy(i, c),
    DeleteAccountPasswordPolicy: (i, c) => account.deleteAccountPasswordPolicy(i, c),
    CreateOpenIDConnectProvider: (i, c) => account.createOpenIDConnectProvider(i, c),
    GetOpenIDConnectProvider: (i, c) => account.getOpenIDConnectProvider(i, c),
    ListOpenIDConnectProviders: (i, c) => account.listOpenIDConnectProviders(i, c),
    DeleteOpenIDConnectProvider: (i, c) => account.deleteOpenIDConnectProvider(i, c),
    AddClientIDToOpenIDConnectProvider: (i, c) => account.addClientIDToOpenIDConnectProvider(i, c),
    RemoveClientIDFromOpenIDConnectProvider: (i, c) => account.removeClientIDFromOpenIDConnectProvider(i, c),
    UpdateOpenIDConnectProviderThumbprint: (i, c) => account.updateOpenIDConnectProviderThumbprint(i, c),
    TagOpenIDConnectProvider: (i, c) => account.tagOpenIDConnectProvider(i, c),
    UntagOpenIDConnectProvider: (i, c) => account.untagOpenIDConnectProvider(i, c),
    ListOpenIDConnectProviderTags: (i, c) => account.listOpenIDConnectProviderTags(i, c),
  };
  // Inline policies and attachments: the same operations for roles, users and groups.
  for (const [kind, noun] of [
    ["role", "Role"],
    ["user", "User"],
    ["group", "Group"],
  ] as const) {
    ops[`Put${noun}Policy`] = (i, c) => attached.putInline(kind, i, c);
    ops[`Get${noun}Policy`] = (i, c) => attached.getInline(kind, i, c);
    ops[`Delete${noun}Policy`] = (i, c) => attached.deleteInline(kind, i, c);
    ops[`List${noun}Policies`] = (i, c) => attached.listInline(kind, i, c);
    ops[`Attach${noun}Policy`] = (i, c) => attached.attach(kind, i, c);
    ops[`Detach${noun}Policy`] = (i, c) => attached.detach(kind, i, c);
    ops[`ListAttached${noun}Policies`] = (i, c) => attached.listAttached(kind, i, c);
  }
  const operations: Record<string, Operation> = ops;

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
        const output = (await operation(decodeQueryMembers(params), request.context)) as Record<
          string,
          unknown
        >;
        const inner =
          Object.keys(output).length > 0
            ? toXml(output, { flattened: false })
            : EMPTY_RESULT_ACTIONS.has(action)
              ? ""
              : undefined;
        return xmlResponse(action, NAMESPACE, inner, requestId);
      } catch (error) {
        return xmlError(error, NAMESPACE, requestId);
      }
    },
    async start() {
      const { snapshot, entries } = store.load();
      if (snapshot) state.restore(snapshot);
      for (const entry of entries) state.apply(entry);
      users.registerAllKeys();
    },
    async stop() {
      if (store.enabled) store.compact(state.toSnapshot());
    },
  };
}
