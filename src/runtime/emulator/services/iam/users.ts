import type { CallerIdentity } from "../../core/credentials.js";
import type { RequestContext } from "../../core/request.js";
import { arnOf, type IamCore } from "./core.js";
import { iamErrors } from "./errors.js";
import * as input from "./input.js";
import * as limits from "./limits.js";
import { renderGroup, renderUser } from "./render.js";
import { listTags } from "./roles.js";
import type { AccessKeyRecord, GroupRecord, UserRecord } from "./store.js";

type Input = Record<string, unknown>;
type Empty = Record<string, never>;

/** Users, their access keys, groups and group membership. */
export class Users {
  constructor(private readonly core: IamCore) {}

  /** Makes every stored access key usable by the gateway (at start, after a restart). */
  registerAllKeys(): void {
    for (const account of this.core.state.accountIds()) {
      for (const user of this.core.state.list(account, "user")) {
        for (const key of user.accessKeys) this.registerKey(account, user, key);
      }
    }
  }

  private registerKey(accountId: string, user: UserRecord, key: AccessKeyRecord): void {
    const arn = arnOf(accountId, "user", user.path, user.name);
    const caller: CallerIdentity = {
      kind: "user",
      accountId,
      arn,
      userId: user.userId,
      principalArn: arn,
      temporary: false,
    };
    this.core.credentials.register({
      accessKeyId: key.id,
      secretAccessKey: key.secret,
      active: key.status === "Active",
      caller,
    });
  }

  async createUser(i: Input, context: RequestContext) {
    const name = input.userName(i["UserName"]);
    const path = input.path(i["Path"]);
    const tags = input.readTags(i["Tags"]);
    const boundary = i["PermissionsBoundary"]
      ? input.policyArn(i["PermissionsBoundary"], "permissionsBoundary")
      : undefined;
    if (this.core.state.get(context.accountId, "user", name))
      throw iamErrors.exists(`User with name ${name} already exists.`);
    const user: UserRecord = {
      name,
      path,
      userId: input.uniqueId("AIDA"),
      createDate: this.core.clock.now(),
      ...(boundary ? { permissionsBoundary: boundary } : {}),
      tags,
      inlinePolicies: [],
      attachedPolicyArns: [],
      accessKeys: [],
    };
    return { User: renderUser(this.core.put(context, "user", user), context.accountId, true) };
  }

  async getUser(i: Input, context: RequestContext) {
    if (i["UserName"] === undefined || i["UserName"] === "") {
      const caller = context.caller;
      if (caller?.kind === "user") {
        const name = caller.arn.slice(caller.arn.lastIndexOf("/") + 1);
        return { User: renderUser(this.core.user(context, name), context.accountId, true) };
      }
      if (caller && caller.kind !== "root") {
        throw iamErrors.validationMessage("Must specify userName when calling with non-User credentials");
      }
      // The account's root user: its id is the account id.
      return {
        User: {
          UserId: context.accountId,
          Arn: `arn:aws:iam::${context.accountId}:root`,
          CreateDate: new Date(0),
        },
      };
    }
    const user = this.core.user(context, input.userName(i["UserName"]));
    return { User: renderUser(user, context.accountId, true) };
  }

  async listUsers(i: Input, context: RequestContext) {
    const prefix = input.pathPrefix(i["PathPrefix"]);
    const users = this.core.state
      .list(context.accountId, "user")
      .filter((u) => u.path.startsWith(prefix))
      .sort((a, b) => input.compare(a.name.toLowerCase(), b.name.toLowerCase()));
    const page = input.paginate(users, (u) => u.name.toLowerCase(), i["Marker"], i["MaxItems"]);
    return { Users: page.items.map((u) => renderUser(u, context.accountId, false)), ...input.pageInfo(page) };
  }

  async updateUser(i: Input, context: RequestContext): Promise<Empty> {
    const user = this.core.user(context, input.userName(i["UserName"]));
    const newName =
      i["NewUserName"] === undefined ? undefined : input.userName(i["NewUserName"], "newUserName");
    const newPath = i["NewPath"] === undefined ? undefined : input.path(i["NewPath"], "newPath");
    if (
      newName &&
      newName.toLowerCase() !== user.name.toLowerCase() &&
      this.core.state.get(context.accountId, "user", newName)
    ) {
      throw iamErrors.exists(`User with name ${newName} already exists.`);
    }
    const oldName = user.name;
    if (newPath) user.path = newPath;
    if (newName && newName !== oldName) {
      this.core.remove(context, "user", oldName);
      user.name = newName;
      for (const group of this.core.state.list(context.accountId, "group")) {
        if (!group.members.some((m) => m.toLowerCase() === oldName.toLowerCase())) continue;
        const updated = structuredClone(group);
        updated.members = updated.members.map((m) =>
          m.toLowerCase() === oldName.toLowerCase() ? newName : m,
        );
        this.core.put(context, "group", updated);
      }
    }
    const saved = this.core.put(context, "user", user);
    for (const key of saved.accessKeys) this.registerKey(context.accountId, saved, key);
    return {};
  }

  async deleteUser(i: Input, context: RequestContext): Promise<Empty> {
    const user = this.core.user(context, input.userName(i["UserName"]));
    if (user.accessKeys.length > 0)
      throw iamErrors.deleteConflict("Cannot delete entity, must delete access keys first.");
    if (this.groupsOf(context, user.name).length > 0) {
      throw iamErrors.deleteConflict("Cannot delete entity, must remove users from group first.");
    }
    if (user.inlinePolicies.length > 0) throw iamErrors.deleteConflictInline();
    if (user.attachedPolicyArns.length > 0) throw iamErrors.deleteConflictAttached();
    this.core.remove(context, "user", user.name);
    return {};
  }

  async tagUser(i: Input, context: RequestContext): Promise<Empty> {
    const user = this.core.user(context, input.userName(i["UserName"]));
    const tags = input.readTags(i["Tags"]);
    if (tags.length === 0) throw iamErrors.missing("tags");
    user.tags = input.mergeTags(user.tags, tags, "TagsPerUser");
    this.core.put(context, "user", user);
    return {};
  }

  async untagUser(i: Input, context: RequestContext): Promise<Empty> {
    const user = this.core.user(context, input.userName(i["UserName"]));
    const keys = input.stringList(i["TagKeys"], "tagKeys");
    if (keys.length === 0) throw iamErrors.missing("tagKeys");
    user.tags = user.tags.filter((t) => !keys.includes(t.Key));
    this.core.put(context, "user", user);
    return {};
  }

  async listUserTags(i: Input, context: RequestContext) {
    return listTags(this.core.user(context, input.userName(i["UserName"])).tags, i);
  }

  // --- Access keys -------------------------------------------------------------------------

  /** The user named in the request, or the calling user when the name is left out. */
  private keyOwner(i: Input, context: RequestContext): UserRecord {
    if (i["UserName"] !== undefined && i["UserName"] !== "")
      return this.core.user(context, input.userName(i["UserName"]));
    const caller = context.caller;
    if (caller?.kind === "user")
      return this.core.user(context, caller.arn.slice(caller.arn.lastIndexOf("/") + 1));
    throw iamErrors.validationMessage("Must specify userName when calling with non-User credentials");
  }

  async createAccessKey(i: Input, context: RequestContext) {
    const user = this.keyOwner(i, context);
    if (user.accessKeys.length >= limits.MAX_ACCESS_KEYS_PER_USER) {
      throw iamErrors.limitExceeded(
        `Cannot exceed quota for AccessKeysPerUser: ${limits.MAX_ACCESS_KEYS_PER_USER}`,
      );
    }
    const key: AccessKeyRecord = {
      id: input.uniqueId("AKIA", 16),
      secret: input.secretKey(),
      status: "Active",
      createDate: this.core.clock.now(),
    };
    user.accessKeys.push(key);
    const saved = this.core.put(context, "user", user);
    this.registerKey(context.accountId, saved, key);
    return {
      AccessKey: {
        UserName: user.name,
        AccessKeyId: key.id,
        Status: key.status,
        SecretAccessKey: key.secret,
        CreateDate: new Date(key.createDate),
      },
    };
  }

  async listAccessKeys(i: Input, context: RequestContext) {
    const user = this.keyOwner(i, context);
    const keys = [...user.accessKeys].sort((a, b) => input.compare(a.id, b.id));
    const page = input.paginate(keys, (k) => k.id, i["Marker"], i["MaxItems"]);
    return {
      AccessKeyMetadata: page.items.map((k) => ({
        UserName: user.name,
        AccessKeyId: k.id,
        Status: k.status,
        CreateDate: new Date(k.createDate),
      })),
      ...input.pageInfo(page),
    };
  }

  async updateAccessKey(i: Input, context: RequestContext): Promise<Empty> {
    const user = this.keyOwner(i, context);
    const id = input.required(i["AccessKeyId"], "accessKeyId");
    const status = input.enumValue(i["Status"], "status", ["Active", "Inactive"] as const);
    if (!status) throw iamErrors.missing("status");
    const key = user.accessKeys.find((k) => k.id === id);
    if (!key) throw iamErrors.noSuchAccessKey(id);
    key.status = status;
    const saved = this.core.put(context, "user", user);
    this.registerKey(context.accountId, saved, key);
    return {};
  }

  async deleteAccessKey(i: Input, context: RequestContext): Promise<Empty> {
    const user = this.keyOwner(i, context);
    const id = input.required(i["AccessKeyId"], "accessKeyId");
    if (!user.accessKeys.some((k) => k.id === id)) throw iamErrors.noSuchAccessKey(id);
    const key = user.accessKeys.find((k) => k.id === id)!;
    user.accessKeys = user.accessKeys.filter((k) => k.id !== id);
    const saved = this.core.put(context, "user", user);
    // A deleted key is refused from now on (InvalidClientTokenId), as on AWS.
    this.registerKey(context.accountId, saved, { ...key, status: "Inactive" });
    return {};
  }

  // --- Groups ------------------------------------------------------------------------------

  private groupsOf(context: RequestContext, userName: string): GroupRecord[] {
    return this.core.state
      .list(context.accountId, "group")
      .filter((g) => g.members.some((m) => m.toLowerCase() === userName.toLowerCase()));
  }

  async createGroup(i: Input, context: RequestContext) {
    const name = input.groupName(i["GroupName"]);
    const path = input.path(i["Path"]);
    if (this.core.state.get(context.accountId, "group", name))
      throw iamErrors.exists(`Group with name ${name} already exists.`);
    const group: GroupRecord = {
      name,
      path,
      groupId: input.uniqueId("AGPA"),
      createDate: this.core.clock.now(),
      inlinePolicies: [],
      attachedPolicyArns: [],
      members: [],
    };
    return { Group: renderGroup(this.core.put(context, "group", group), context.accountId) };
  }

  async getGroup(i: Input, context: RequestContext) {
    const group = this.core.group(context, input.groupName(i["GroupName"]));
    const users = group.members
      .flatMap((m) => {
        const user = this.core.state.get(context.accountId, "user", m);
        return user ? [user] : [];
      })
      .sort((a, b) => input.compare(a.name.toLowerCase(), b.name.toLowerCase()));
    const page = input.paginate(users, (u) => u.name.toLowerCase(), i["Marker"], i["MaxItems"]);
    return {
      Group: renderGroup(group, context.accountId),
      Users: page.items.map((u) => renderUser(u, context.accountId, false)),
      ...input.pageInfo(page),
    };
  }

  async listGroups(i: Input, context: RequestContext) {
    const prefix = input.pathPrefix(i["PathPrefix"]);
    const groups = this.core.state
      .list(context.accountId, "group")
      .filter((g) => g.path.startsWith(prefix))
      .sort((a, b) => input.compare(a.name.toLowerCase(), b.name.toLowerCase()));
    const page = input.paginate(groups, (g) => g.name.toLowerCase(), i["Marker"], i["MaxItems"]);
    return { Groups: page.items.map((g) => renderGroup(g, context.accountId)), ...input.pageInfo(page) };
  }

  async updateGroup(i: Input, context: RequestContext): Promise<Empty> {
    const group = this.core.group(context, input.groupName(i["GroupName"]));
    const newName =
      i["NewGroupName"] === undefined ? undefined : input.groupName(i["NewGroupName"], "newGroupName");
    const newPath = i["NewPath"] === undefined ? undefined : input.path(i["NewPath"], "newPath");
    if (
      newName &&
      newName.toLowerCase() !== group.name.toLowerCase() &&
      this.core.state.get(context.accountId, "group", newName)
    ) {
      throw iamErrors.exists(`Group with name ${newName} already exists.`);
    }
    if (newPath) group.path = newPath;
    if (newName && newName !== group.name) {
      this.core.remove(context, "group", group.name);
      group.name = newName;
    }
    this.core.put(context, "group", group);
    return {};
  }

  async deleteGroup(i: Input, context: RequestContext): Promise<Empty> {
    const group = this.core.group(context, input.groupName(i["GroupName"]));
    if (group.members.length > 0)
      throw iamErrors.deleteConflict("Cannot delete entity, must remove users from group first.");
    if (group.inlinePolicies.length > 0) throw iamErrors.deleteConflictInline();
    if (group.attachedPolicyArns.length > 0) throw iamErrors.deleteConflictAttached();
    this.core.remove(context, "group", group.name);
    return {};
  }

  async addUserToGroup(i: Input, context: RequestContext): Promise<Empty> {
    const group = this.core.group(context, input.groupName(i["GroupName"]));
    const user = this.core.user(context, input.userName(i["UserName"]));
    if (group.members.some((m) => m.toLowerCase() === user.name.toLowerCase())) return {};
    if (this.groupsOf(context, user.name).length >= limits.MAX_GROUPS_PER_USER) {
      throw iamErrors.limitExceeded(`Cannot exceed quota for GroupsPerUser: ${limits.MAX_GROUPS_PER_USER}`);
    }
    group.members.push(user.name);
    this.core.put(context, "group", group);
    return {};
  }

  async removeUserFromGroup(i: Input, context: RequestContext): Promise<Empty> {
    const group = this.core.group(context, input.groupName(i["GroupName"]));
    const user = this.core.user(context, input.userName(i["UserName"]));
    if (!group.members.some((m) => m.toLowerCase() === user.name.toLowerCase())) {
      throw iamErrors.userNotInGroup(user.name, group.name);
    }
    group.members = group.members.filter((m) => m.toLowerCase() !== user.name.toLowerCase());
    this.core.put(context, "group", group);
    return {};
  }

  async listGroupsForUser(i: Input, context: RequestContext) {
    const user = this.core.user(context, input.userName(i["UserName"]));
    const groups = this.groupsOf(context, user.name).sort((a, b) =>
      input.compare(a.name.toLowerCase(), b.name.toLowerCase()),
    );
    const page = input.paginate(groups, (g) => g.name.toLowerCase(), i["Marker"], i["MaxItems"]);
    return { Groups: page.items.map((g) => renderGroup(g, context.accountId)), ...input.pageInfo(page) };
  }
}
