import { randomBytes, randomUUID } from "node:crypto";
import type { TimerHandle } from "../../core/clock.js";
import type { RequestContext } from "../../core/request.js";
import type { Operation } from "../../core/service.js";
import type { ConnectionAuthorizer } from "./connection-auth.js";
import type { EventsCore } from "./core.js";
import { eventsErrors } from "./errors.js";
import {
  API_DESTINATION_METHODS,
  API_DESTINATION_NAME_MAX_LENGTH,
  API_DESTINATION_RATE,
  CONNECTION_NAME_MAX_LENGTH,
  CONNECTION_TRANSITION_MS,
  DESCRIPTION_MAX_LENGTH,
  LIST_MAX_LIMIT,
} from "./limits.js";
import {
  keyOfResource,
  scopedKey,
  type ApiDestinationRecord,
  type ConnectionAuthorizationType,
  type ConnectionAuthParameters,
  type ConnectionHttpParameter,
  type ConnectionHttpParameters,
  type ConnectionRecord,
  type ConnectionState,
} from "./models.js";
import {
  compareNames,
  optionalLimit,
  optionalString,
  paginate,
  requireModelName,
  seconds,
} from "./validate.js";

const NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
const NAME_PATTERN_TEXT = "[\\.\\-_A-Za-z0-9]+";
const AUTH_TYPES: ConnectionAuthorizationType[] = ["BASIC", "OAUTH_CLIENT_CREDENTIALS", "API_KEY"];
const CONNECTION_STATES: ConnectionState[] = [
  "CREATING",
  "UPDATING",
  "DELETING",
  "AUTHORIZED",
  "DEAUTHORIZED",
  "AUTHORIZING",
  "DEAUTHORIZING",
];
const AUTH_BLOCK: Record<ConnectionAuthorizationType, keyof ConnectionAuthParameters> = {
  BASIC: "BasicAuthParameters",
  API_KEY: "ApiKeyAuthParameters",
  OAUTH_CLIENT_CREDENTIALS: "OAuthParameters",
};
const OAUTH_METHODS = ["GET", "POST", "PUT"];
const CONNECTION_ARN_PATTERN =
  /^arn:aws([a-z]|-)*:events:([a-z]|\d|-)*:([0-9]{12})?:connection\/[.\-_A-Za-z0-9]+\/[-A-Za-z0-9]+$/;
const ENDPOINT_PATTERN = /^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@&=+$,A-Za-z0-9])+)([).!';/?:,])?$/;

const { constraint, validation } = eventsErrors;

const connectionNotFound = (name: string) =>
  eventsErrors.notFound(`Failed to describe the connection(s). Connection '${name}' does not exist.`);
const apiDestinationNotFound = (name: string) =>
  eventsErrors.notFound(
    `Failed to describe the api-destination(s). An api-destination '${name}' does not exist.`,
  );

/**
 * Connections (the authorization an API destination uses) and API destinations (an HTTP endpoint,
 * usable as a rule target). Secrets stay in the emulator's state, as AWS keeps them in a Secrets
 * Manager secret it names in SecretArn; Describe never returns them.
 */
export function connectionOperations(core: EventsCore, auth: ConnectionAuthorizer) {
  const { store, env } = core;
  const timers = new Set<TimerHandle>();

  const now = () => env.clock.now();
  const connectionKey = (name: string, context: RequestContext) =>
    scopedKey(context.accountId, context.region, name);

  function requireConnection(name: unknown, context: RequestContext): ConnectionRecord {
    const value = requireModelName(name, "name", CONNECTION_NAME_MAX_LENGTH, NAME_PATTERN, NAME_PATTERN_TEXT);
    const connection = store.resource("connection", connectionKey(value, context));
    if (!connection) throw connectionNotFound(value);
    return connection;
  }

  function connectionByArn(arn: string, context: RequestContext): ConnectionRecord {
    const name = arn.split("/")[1] ?? arn;
    const connection = store.resource("connection", connectionKey(name, context));
    if (!connection || connection.arn !== arn) throw connectionNotFound(name);
    return connection;
  }

  /** Moves a connection to `state` after a short while, if nothing changed it meanwhile. */
  function settle(connection: ConnectionRecord, change: () => Promise<Partial<ConnectionRecord>>): void {
    const timer = env.clock.setTimeout(() => {
      timers.delete(timer);
      void change()
        .then((update) => {
          const current = store.resource("connection", keyOfResource(connection));
          if (!current || current.lastModifiedTime !== connection.lastModifiedTime) return;
          store.putResource("connection", { ...current, ...update });
        })
        .catch((error: unknown) => env.reportBackgroundError("events", error));
    }, CONNECTION_TRANSITION_MS);
    timers.add(timer);
  }

  /** OAuth connections fetch a token first; the others are authorized as soon as they are stored. */
  function authorizeLater(connection: ConnectionRecord): void {
    if (connection.authorizationType !== "OAUTH_CLIENT_CREDENTIALS") return;
    auth.forget(connection);
    settle(connection, async () => {
      try {
        await auth.fetchToken(connection);
        return { state: "AUTHORIZED", stateReason: undefined, lastAuthorizedTime: now() };
      } catch (error) {
        return { state: "DEAUTHORIZED", stateReason: error instanceof Error ? error.message : String(error) };
      }
    });
  }

  const connectionTimes = (c: ConnectionRecord) => ({
    CreationTime: seconds(c.creationTime),
    LastModifiedTime: seconds(c.lastModifiedTime),
    ...(c.lastAuthorizedTime !== undefined ? { LastAuthorizedTime: seconds(c.lastAuthorizedTime) } : {}),
  });

  const listed = (c: ConnectionRecord) => ({
    ConnectionArn: c.arn,
    Name: c.name,
    ConnectionState: c.state,
    ...(c.stateReason ? { StateReason: c.stateReason } : {}),
    AuthorizationType: c.authorizationType,
    ...connectionTimes(c),
  });

  function destinationState(
    destination: ApiDestinationRecord,
    context: RequestContext,
  ): "ACTIVE" | "INACTIVE" {
    const name = destination.connectionArn.split("/")[1] ?? "";
    const connection = store.resource("connection", connectionKey(name, context));
    return connection?.state === "AUTHORIZED" ? "ACTIVE" : "INACTIVE";
  }

  function requireDestination(name: unknown, context: RequestContext): ApiDestinationRecord {
    const value = requireModelName(
      name,
      "name",
      API_DESTINATION_NAME_MAX_LENGTH,
      NAME_PATTERN,
      NAME_PATTERN_TEXT,
    );
    const destination = store.resource("apiDestination", connectionKey(value, context));
    if (!destination) throw apiDestinationNotFound(value);
    return destination;
  }

  const describeDestination = (d: ApiDestinationRecord, context: RequestContext) => ({
    ApiDestinationArn: d.arn,
    Name: d.name,
    ...(d.description !== undefined ? { Description: d.description } : {}),
    ApiDestinationState: destinationState(d, context),
    ConnectionArn: d.connectionArn,
    InvocationEndpoint: d.invocationEndpoint,
    HttpMethod: d.httpMethod,
    InvocationRateLimitPerSecond: d.invocationRateLimitPerSecond,
    CreationTime: seconds(d.creationTime),
    LastModifiedTime: seconds(d.lastModifiedTime),
  });

  const operations: Record<string, Operation> = {
    CreateConnection: async (input: Record<string, unknown>, context: RequestContext) => {
      const name = requireModelName(
        input["Name"],
        "name",
        CONNECTION_NAME_MAX_LENGTH,
        NAME_PATTERN,
        NAME_PATTERN_TEXT,
      );
      const description = optionalString(input["Description"], "description", DESCRIPTION_MAX_LENGTH);
      const type = authorizationType(input["AuthorizationType"]);
      if (type === undefined) throw constraint("authorizationType", "null", "not be null");
      const parameters = readAuthParameters(input["AuthParameters"], type, true);
      if (store.resource("connection", connectionKey(name, context))) {
        throw eventsErrors.alreadyExists(`Connection ${name} already exists.`);
      }
      const id = randomUUID();
      const at = now();
      const oauth = type === "OAUTH_CLIENT_CREDENTIALS";
      const connection: ConnectionRecord = {
        accountId: context.accountId,
        region: context.region,
        name,
        arn: `arn:aws:events:${context.region}:${context.accountId}:connection/${name}/${id}`,
        secretArn: `arn:aws:secretsmanager:${context.region}:${context.accountId}:secret:events!connection/${name}/${id}-${randomBytes(3).toString("hex")}`,
        ...(description !== undefined ? { description } : {}),
        authorizationType: type,
        authParameters: parameters,
        state: oauth ? "AUTHORIZING" : "AUTHORIZED",
        creationTime: at,
        lastModifiedTime: at,
        ...(oauth ? {} : { lastAuthorizedTime: at }),
      };
      store.putResource("connection", connection);
      authorizeLater(connection);
      return {
        ConnectionArn: connection.arn,
        ConnectionState: connection.state,
        CreationTime: seconds(at),
        LastModifiedTime: seconds(at),
      };
    },

    DescribeConnection: async (input: Record<string, unknown>, context: RequestContext) => {
      const c = requireConnection(input["Name"], context);
      return {
        ConnectionArn: c.arn,
        Name: c.name,
        ...(c.description !== undefined ? { Description: c.description } : {}),
        ConnectionState: c.state,
        ...(c.stateReason ? { StateReason: c.stateReason } : {}),
        AuthorizationType: c.authorizationType,
        SecretArn: c.secretArn,
        AuthParameters: publicParameters(c.authParameters),
        ...connectionTimes(c),
      };
    },

    ListConnections: async (input: Record<string, unknown>, context: RequestContext) => {
      const prefix = optionalString(input["NamePrefix"], "namePrefix", CONNECTION_NAME_MAX_LENGTH) ?? "";
      const state = input["ConnectionState"];
      if (state !== undefined && state !== null && !CONNECTION_STATES.includes(state as ConnectionState)) {
        throw constraint(
          "connectionState",
          state,
          `satisfy enum value set: [${CONNECTION_STATES.join(", ")}]`,
        );
      }
      const connections = store
        .resources("connection")
        .filter((c) => c.accountId === context.accountId && c.region === context.region)
        .filter(
          (c) => c.name.startsWith(prefix) && (state === undefined || state === null || c.state === state),
        )
        .sort(compareNames);
      const { page, nextToken } = paginate(
        connections,
        input["NextToken"],
        optionalLimit(input["Limit"], LIST_MAX_LIMIT),
        LIST_MAX_LIMIT,
      );
      return { Connections: page.map(listed), ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    UpdateConnection: async (input: Record<string, unknown>, context: RequestContext) => {
      const existing = requireConnection(input["Name"], context);
      const description = optionalString(input["Description"], "description", DESCRIPTION_MAX_LENGTH);
      const type = authorizationType(input["AuthorizationType"]) ?? existing.authorizationType;
      const given = input["AuthParameters"];
      let parameters = existing.authParameters;
      if (given !== undefined && given !== null) {
        parameters = mergeAuthParameters(existing.authParameters, given, type !== existing.authorizationType);
      }
      checkAuthBlocks(parameters, type);
      const oauth = type === "OAUTH_CLIENT_CREDENTIALS";
      const at = now();
      const updated: ConnectionRecord = {
        ...existing,
        ...(description !== undefined ? { description } : {}),
        authorizationType: type,
        authParameters: parameters,
        state: oauth ? "AUTHORIZING" : "AUTHORIZED",
        lastModifiedTime: at,
        ...(oauth ? {} : { lastAuthorizedTime: at }),
      };
      delete updated.stateReason;
      store.putResource("connection", updated);
      authorizeLater(updated);
      return {
        ConnectionArn: updated.arn,
        ConnectionState: updated.state,
        ...connectionTimes(updated),
      };
    },

    DeauthorizeConnection: async (input: Record<string, unknown>, context: RequestContext) => {
      const existing = requireConnection(input["Name"], context);
      const updated: ConnectionRecord = { ...existing, state: "DEAUTHORIZING", lastModifiedTime: now() };
      store.putResource("connection", updated);
      auth.forget(updated);
      settle(updated, async () => ({ state: "DEAUTHORIZED" }));
      return { ConnectionArn: updated.arn, ConnectionState: updated.state, ...connectionTimes(updated) };
    },

    DeleteConnection: async (input: Record<string, unknown>, context: RequestContext) => {
      const existing = requireConnection(input["Name"], context);
      store.deleteResource("connection", keyOfResource(existing));
      auth.forget(existing);
      return {
        ConnectionArn: existing.arn,
        ConnectionState: "DELETING",
        ...connectionTimes({ ...existing, lastModifiedTime: now() }),
      };
    },

    CreateApiDestination: async (input: Record<string, unknown>, context: RequestContext) => {
      const fields = destinationFields(input, true);
      const name = fields.name!;
      if (store.resource("apiDestination", connectionKey(name, context))) {
        throw eventsErrors.alreadyExists(`An api-destination '${name}' already exists.`);
      }
      connectionByArn(fields.connectionArn!, context);
      const at = now();
      const destination: ApiDestinationRecord = {
        accountId: context.accountId,
        region: context.region,
        name,
        arn: `arn:aws:events:${context.region}:${context.accountId}:api-destination/${name}/${randomUUID()}`,
        ...(fields.description !== undefined ? { description: fields.description } : {}),
        connectionArn: fields.connectionArn!,
        invocationEndpoint: fields.invocationEndpoint!,
        httpMethod: fields.httpMethod!,
        invocationRateLimitPerSecond: fields.rate ?? API_DESTINATION_RATE.default,
        creationTime: at,
        lastModifiedTime: at,
      };
      store.putResource("apiDestination", destination);
      return {
        ApiDestinationArn: destination.arn,
        ApiDestinationState: destinationState(destination, context),
        CreationTime: seconds(at),
        LastModifiedTime: seconds(at),
      };
    },

    DescribeApiDestination: async (input: Record<string, unknown>, context: RequestContext) =>
      describeDestination(requireDestination(input["Name"], context), context),

    ListApiDestinations: async (input: Record<string, unknown>, context: RequestContext) => {
      const prefix = optionalString(input["NamePrefix"], "namePrefix", API_DESTINATION_NAME_MAX_LENGTH) ?? "";
      const connectionArn = optionalString(input["ConnectionArn"], "connectionArn", 1600);
      const destinations = store
        .resources("apiDestination")
        .filter((d) => d.accountId === context.accountId && d.region === context.region)
        .filter((d) => d.name.startsWith(prefix) && (!connectionArn || d.connectionArn === connectionArn))
        .sort(compareNames);
      const { page, nextToken } = paginate(
        destinations,
        input["NextToken"],
        optionalLimit(input["Limit"], LIST_MAX_LIMIT),
        LIST_MAX_LIMIT,
      );
      return {
        ApiDestinations: page.map((d) => {
          const described: Record<string, unknown> = describeDestination(d, context);
          delete described["Description"];
          return described;
        }),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    },

    UpdateApiDestination: async (input: Record<string, unknown>, context: RequestContext) => {
      const existing = requireDestination(input["Name"], context);
      const fields = destinationFields(input, false);
      if (fields.connectionArn) connectionByArn(fields.connectionArn, context);
      const updated: ApiDestinationRecord = {
        ...existing,
        ...(fields.description !== undefined ? { description: fields.description } : {}),
        ...(fields.connectionArn ? { connectionArn: fields.connectionArn } : {}),
        ...(fields.invocationEndpoint ? { invocationEndpoint: fields.invocationEndpoint } : {}),
        ...(fields.httpMethod ? { httpMethod: fields.httpMethod } : {}),
        ...(fields.rate !== undefined ? { invocationRateLimitPerSecond: fields.rate } : {}),
        lastModifiedTime: now(),
      };
      store.putResource("apiDestination", updated);
      return {
        ApiDestinationArn: updated.arn,
        ApiDestinationState: destinationState(updated, context),
        CreationTime: seconds(updated.creationTime),
        LastModifiedTime: seconds(updated.lastModifiedTime),
      };
    },

    DeleteApiDestination: async (input: Record<string, unknown>, context: RequestContext) => {
      const existing = requireDestination(input["Name"], context);
      store.deleteResource("apiDestination", keyOfResource(existing));
      return {};
    },
  };

  return {
    operations,
    stop(): void {
      for (const timer of timers) timer.cancel();
      timers.clear();
    },
  };
}

function authorizationType(value: unknown): ConnectionAuthorizationType | undefined {
  if (value === undefined || value === null) return undefined;
  if (!AUTH_TYPES.includes(value as ConnectionAuthorizationType)) {
    throw constraint("authorizationType", value, `satisfy enum value set: [${AUTH_TYPES.join(", ")}]`);
  }
  return value as ConnectionAuthorizationType;
}

/** The auth block the type needs, and no other (InvocationHttpParameters may join any). */
function checkAuthBlocks(parameters: ConnectionAuthParameters, type: ConnectionAuthorizationType): void {
  const wanted = AUTH_BLOCK[type];
  if (!parameters[wanted]) {
    throw validation(
      `Parameter AuthParameters is not valid. Reason: ${wanted} is required for authorization type ${type}.`,
    );
  }
  for (const [other, block] of Object.entries(AUTH_BLOCK)) {
    if (other !== type && parameters[block]) {
      throw validation(
        `Parameter AuthParameters is not valid. Reason: ${block} cannot be given with authorization type ${type}.`,
      );
    }
  }
}

function readAuthParameters(
  value: unknown,
  type: ConnectionAuthorizationType,
  creating: boolean,
): ConnectionAuthParameters {
  if (value === undefined || value === null) throw constraint("authParameters", "null", "not be null");
  if (typeof value !== "object" || Array.isArray(value))
    throw validation("Parameter AuthParameters is not valid.");
  const raw = value as Record<string, unknown>;
  const out: ConnectionAuthParameters = {};
  const basic = raw["BasicAuthParameters"] as Record<string, unknown> | undefined;
  if (basic) {
    out.BasicAuthParameters = {
      Username: requiredText(basic["Username"], "authParameters.basicAuthParameters.username", creating),
      Password: requiredText(basic["Password"], "authParameters.basicAuthParameters.password", creating),
    };
  }
  const key = raw["ApiKeyAuthParameters"] as Record<string, unknown> | undefined;
  if (key) {
    out.ApiKeyAuthParameters = {
      ApiKeyName: requiredText(key["ApiKeyName"], "authParameters.apiKeyAuthParameters.apiKeyName", creating),
      ApiKeyValue: requiredText(
        key["ApiKeyValue"],
        "authParameters.apiKeyAuthParameters.apiKeyValue",
        creating,
      ),
    };
  }
  const oauth = raw["OAuthParameters"] as Record<string, unknown> | undefined;
  if (oauth) {
    const client = (oauth["ClientParameters"] ?? {}) as Record<string, unknown>;
    const endpoint = requiredText(
      oauth["AuthorizationEndpoint"],
      "authParameters.oAuthParameters.authorizationEndpoint",
      creating,
    );
    if (endpoint && !/^https?:\/\//.test(endpoint)) {
      throw validation("Parameter AuthorizationEndpoint is not valid. Reason: it must be an http(s) URL.");
    }
    const method = requiredText(oauth["HttpMethod"], "authParameters.oAuthParameters.httpMethod", creating);
    if (method && !OAUTH_METHODS.includes(method)) {
      throw constraint(
        "authParameters.oAuthParameters.httpMethod",
        method,
        `satisfy enum value set: [${OAUTH_METHODS.join(", ")}]`,
      );
    }
    out.OAuthParameters = {
      ClientParameters: {
        ClientID: requiredText(
          client["ClientID"],
          "authParameters.oAuthParameters.clientParameters.clientID",
          creating,
        ),
        ClientSecret: requiredText(
          client["ClientSecret"],
          "authParameters.oAuthParameters.clientParameters.clientSecret",
          creating,
        ),
      },
      AuthorizationEndpoint: endpoint,
      HttpMethod: method,
      ...(oauth["OAuthHttpParameters"]
        ? { OAuthHttpParameters: httpParameters(oauth["OAuthHttpParameters"]) }
        : {}),
    };
  }
  if (raw["InvocationHttpParameters"])
    out.InvocationHttpParameters = httpParameters(raw["InvocationHttpParameters"]);
  if (creating) checkAuthBlocks(out, type);
  return out;
}

/** UpdateConnection: given members replace stored ones; a new authorization type starts afresh. */
function mergeAuthParameters(
  existing: ConnectionAuthParameters,
  given: unknown,
  typeChanged: boolean,
): ConnectionAuthParameters {
  const raw = given as Record<string, Record<string, unknown> | undefined>;
  const merged: ConnectionAuthParameters = typeChanged
    ? {
        ...(existing.InvocationHttpParameters
          ? { InvocationHttpParameters: existing.InvocationHttpParameters }
          : {}),
      }
    : { ...existing };
  const partial = readAuthParameters(given, "BASIC", false);
  if (raw["BasicAuthParameters"]) {
    merged.BasicAuthParameters = {
      Username: partial.BasicAuthParameters!.Username || existing.BasicAuthParameters?.Username || "",
      Password: partial.BasicAuthParameters!.Password || existing.BasicAuthParameters?.Password || "",
    };
  }
  if (raw["ApiKeyAuthParameters"]) {
    merged.ApiKeyAuthParameters = {
      ApiKeyName: partial.ApiKeyAuthParameters!.ApiKeyName || existing.ApiKeyAuthParameters?.ApiKeyName || "",
      ApiKeyValue:
        partial.ApiKeyAuthParameters!.ApiKeyValue || existing.ApiKeyAuthParameters?.ApiKeyValue || "",
    };
  }
  if (raw["OAuthParameters"]) {
    const before = existing.OAuthParameters;
    const next = partial.OAuthParameters!;
    merged.OAuthParameters = {
      ClientParameters: {
        ClientID: next.ClientParameters.ClientID || before?.ClientParameters.ClientID || "",
        ClientSecret: next.ClientParameters.ClientSecret || before?.ClientParameters.ClientSecret || "",
      },
      AuthorizationEndpoint: next.AuthorizationEndpoint || before?.AuthorizationEndpoint || "",
      HttpMethod: next.HttpMethod || before?.HttpMethod || "",
      ...((next.OAuthHttpParameters ?? before?.OAuthHttpParameters)
        ? { OAuthHttpParameters: next.OAuthHttpParameters ?? before!.OAuthHttpParameters! }
        : {}),
    };
  }
  if (partial.InvocationHttpParameters) merged.InvocationHttpParameters = partial.InvocationHttpParameters;
  return merged;
}

function requiredText(value: unknown, field: string, required: boolean): string {
  if (value === undefined || value === null || value === "") {
    if (required) throw constraint(field, "null", "not be null");
    return "";
  }
  if (typeof value !== "string") throw constraint(field, value, "be a string");
  return value;
}

function httpParameters(value: unknown): ConnectionHttpParameters {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw validation(
      "Connection HTTP parameters must be an object of HeaderParameters, QueryStringParameters and BodyParameters.",
    );
  }
  const raw = value as Record<string, unknown>;
  const out: ConnectionHttpParameters = {};
  for (const member of ["HeaderParameters", "QueryStringParameters", "BodyParameters"] as const) {
    const list = raw[member];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw validation(`${member} must be a list of Key/Value parameters.`);
    out[member] = list.map((p: unknown) => {
      const parameter = (p ?? {}) as Record<string, unknown>;
      return {
        ...(typeof parameter["Key"] === "string" ? { Key: parameter["Key"] } : {}),
        ...(typeof parameter["Value"] === "string" ? { Value: parameter["Value"] } : {}),
        ...(typeof parameter["IsValueSecret"] === "boolean"
          ? { IsValueSecret: parameter["IsValueSecret"] }
          : {}),
      } satisfies ConnectionHttpParameter;
    });
  }
  return out;
}

/** What DescribeConnection shows: no password, API key value, client secret or secret parameter. */
function publicParameters(parameters: ConnectionAuthParameters): Record<string, unknown> {
  const hide = (http: ConnectionHttpParameters | undefined) => {
    if (!http) return undefined;
    const out: Record<string, unknown> = {};
    for (const [member, list] of Object.entries(http) as [string, ConnectionHttpParameter[]][]) {
      out[member] = list.map((p) => (p.IsValueSecret ? { Key: p.Key, IsValueSecret: true } : p));
    }
    return out;
  };
  const out: Record<string, unknown> = {};
  if (parameters.BasicAuthParameters)
    out["BasicAuthParameters"] = { Username: parameters.BasicAuthParameters.Username };
  if (parameters.ApiKeyAuthParameters)
    out["ApiKeyAuthParameters"] = { ApiKeyName: parameters.ApiKeyAuthParameters.ApiKeyName };
  if (parameters.OAuthParameters) {
    const oauth = parameters.OAuthParameters;
    out["OAuthParameters"] = {
      ClientParameters: { ClientID: oauth.ClientParameters.ClientID },
      AuthorizationEndpoint: oauth.AuthorizationEndpoint,
      HttpMethod: oauth.HttpMethod,
      ...(oauth.OAuthHttpParameters ? { OAuthHttpParameters: hide(oauth.OAuthHttpParameters) } : {}),
    };
  }
  if (parameters.InvocationHttpParameters)
    out["InvocationHttpParameters"] = hide(parameters.InvocationHttpParameters);
  return out;
}

function destinationFields(input: Record<string, unknown>, creating: boolean) {
  const problems: string[] = [];
  const text = (member: string): string | undefined => {
    const value = input[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") {
      problems.push(
        `Value '${JSON.stringify(value)}' at '${lowerFirst(member)}' failed to satisfy constraint: Member must be a string`,
      );
      return undefined;
    }
    return value;
  };
  const name = text("Name");
  const connectionArn = text("ConnectionArn");
  const invocationEndpoint = text("InvocationEndpoint");
  const httpMethod = text("HttpMethod");
  const description = optionalString(input["Description"], "description", DESCRIPTION_MAX_LENGTH);
  if (name === undefined)
    problems.push("Value null at 'name' failed to satisfy constraint: Member must not be null");
  else {
    if (!NAME_PATTERN.test(name)) {
      problems.push(
        `Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME_PATTERN_TEXT}`,
      );
    }
    if (name.length > API_DESTINATION_NAME_MAX_LENGTH) {
      problems.push(
        `Value '${name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to ${API_DESTINATION_NAME_MAX_LENGTH}`,
      );
    }
  }
  if (connectionArn === undefined) {
    if (creating)
      problems.push("Value null at 'connectionArn' failed to satisfy constraint: Member must not be null");
  } else if (!CONNECTION_ARN_PATTERN.test(connectionArn)) {
    problems.push(
      `Value '${connectionArn}' at 'connectionArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws([a-z]|\\-)*:events:([a-z]|\\d|\\-)*:([0-9]{12})?:connection\\/[\\.\\-_A-Za-z0-9]+\\/[\\-A-Za-z0-9]+$`,
    );
  }
  if (httpMethod === undefined) {
    if (creating)
      problems.push("Value null at 'httpMethod' failed to satisfy constraint: Member must not be null");
  } else if (!(API_DESTINATION_METHODS as readonly string[]).includes(httpMethod)) {
    problems.push(
      `Value '${httpMethod}' at 'httpMethod' failed to satisfy constraint: Member must satisfy enum value set: [${API_DESTINATION_METHODS.join(", ")}]`,
    );
  }
  if (invocationEndpoint === undefined) {
    if (creating)
      problems.push(
        "Value null at 'invocationEndpoint' failed to satisfy constraint: Member must not be null",
      );
  } else if (!ENDPOINT_PATTERN.test(invocationEndpoint)) {
    problems.push(
      `Value '${invocationEndpoint}' at 'invocationEndpoint' failed to satisfy constraint: Member must satisfy regular expression pattern: ^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@&=+$,A-Za-z0-9])+)([).!';/?:,])?$`,
    );
  }
  const rawRate = input["InvocationRateLimitPerSecond"];
  let rate: number | undefined;
  if (rawRate !== undefined && rawRate !== null) {
    if (typeof rawRate !== "number" || !Number.isInteger(rawRate) || rawRate < API_DESTINATION_RATE.min) {
      problems.push(
        `Value '${String(rawRate)}' at 'invocationRateLimitPerSecond' failed to satisfy constraint: Member must have value greater than or equal to ${API_DESTINATION_RATE.min}`,
      );
    } else if (rawRate > API_DESTINATION_RATE.max) {
      problems.push(
        `Value '${rawRate}' at 'invocationRateLimitPerSecond' failed to satisfy constraint: Member must have value less than or equal to ${API_DESTINATION_RATE.max}`,
      );
    } else rate = rawRate;
  }
  if (problems.length > 0) {
    throw validation(
      `${problems.length} validation error${problems.length > 1 ? "s" : ""} detected: ${problems.join("; ")}`,
    );
  }
  if (invocationEndpoint !== undefined && !/^https?:\/\//.test(invocationEndpoint)) {
    throw validation(
      `Parameter InvocationEndpoint is not valid. Reason: ${invocationEndpoint} is not an http(s) URL.`,
    );
  }
  return { name, connectionArn, invocationEndpoint, httpMethod, description, rate };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
