import type { RequestContext } from "../../core/request.js";
import type { Operation } from "../../core/service.js";
import type { EventsCore } from "./core.js";
import { eventsErrors } from "./errors.js";
import {
  BUS_DESCRIPTION_MAX_LENGTH,
  BUS_NAME_MAX_LENGTH,
  BUS_NAME_PATTERN,
  DEFAULT_BUS,
  LIST_MAX_LIMIT,
} from "./limits.js";
import { busArn, keyOfResource, scopedKey, type BusRecord } from "./models.js";
import { mergeTags, validTags } from "./tag-list.js";
import {
  compareNames,
  optionalLimit,
  optionalString,
  paginate,
  requireModelName,
  seconds,
} from "./validate.js";

const { validation } = eventsErrors;

/**
 * Event buses: every account and region has `default` (it cannot be created or deleted); custom
 * buses are created, described, listed, updated and deleted. A bus with rules cannot be deleted
 * (EventBridge's "EventBus can't be deleted since it has rules."); deleting a missing bus succeeds.
 */
/**
 * The stored record of a bus, or the implicit default bus (a record only once UpdateEventBus,
 * TagResource or PutPermission changed it).
 */
export function busRecord(
  core: EventsCore,
  name: string,
  scope: { accountId: string; region: string },
): BusRecord | undefined {
  const stored = core.store.resource("bus", scopedKey(scope.accountId, scope.region, name));
  if (stored || name !== DEFAULT_BUS) return stored;
  return {
    accountId: scope.accountId,
    region: scope.region,
    name,
    arn: busArn(scope.region, scope.accountId, name),
    creationTime: 0,
    lastModifiedTime: 0,
  };
}

export function busOperations(core: EventsCore): Record<string, Operation> {
  const { store, env } = core;
  const busRecordIn = (name: string, context: RequestContext) => busRecord(core, name, context);

  const describe = (bus: BusRecord) => ({
    Name: bus.name,
    Arn: bus.arn,
    ...(bus.description !== undefined ? { Description: bus.description } : {}),
    ...(bus.kmsKeyIdentifier ? { KmsKeyIdentifier: bus.kmsKeyIdentifier } : {}),
    ...(bus.deadLetterConfig ? { DeadLetterConfig: bus.deadLetterConfig } : {}),
    ...(bus.creationTime ? { CreationTime: seconds(bus.creationTime) } : {}),
    ...(bus.lastModifiedTime ? { LastModifiedTime: seconds(bus.lastModifiedTime) } : {}),
    ...(bus.policy ? { Policy: bus.policy } : {}),
  });

  function deadLetterConfig(value: unknown): { Arn?: string } | undefined {
    if (value === undefined || value === null) return undefined;
    const arn = (value as { Arn?: unknown }).Arn;
    if (arn === undefined || arn === null) return {};
    if (
      typeof arn !== "string" ||
      !/^arn:aws[\w-]*:sqs:[^:]+:\d{12}:[^:]+$/.test(arn) ||
      arn.endsWith(".fifo")
    ) {
      throw validation(
        `Parameter DeadLetterConfig.Arn is not valid. Reason: ${String(arn)} is not the ARN of a standard SQS queue.`,
      );
    }
    return { Arn: arn };
  }

  return {
    CreateEventBus: async (input: Record<string, unknown>, context: RequestContext) => {
      const name = requireModelName(
        input["Name"],
        "name",
        BUS_NAME_MAX_LENGTH,
        BUS_NAME_PATTERN,
        "[/\\.\\-_A-Za-z0-9]+",
      );
      const source = optionalString(input["EventSourceName"], "eventSourceName", 256);
      if (source !== undefined) {
        // Partner event buses need a partner event source, which this emulator has none of.
        throw eventsErrors.notFound(`Event source ${source} does not exist.`);
      }
      if (name.includes("/")) {
        throw validation("Event bus name must not contain '/' (only partner event buses do).");
      }
      if (core.busExists(context.accountId, context.region, name)) {
        throw eventsErrors.alreadyExists(`Event bus ${name} already exists.`);
      }
      const description = optionalString(input["Description"], "description", BUS_DESCRIPTION_MAX_LENGTH);
      const kms = optionalString(input["KmsKeyIdentifier"], "kmsKeyIdentifier", 2048);
      const dlq = deadLetterConfig(input["DeadLetterConfig"]);
      const tags = input["Tags"] === undefined || input["Tags"] === null ? [] : validTags(input["Tags"]);
      mergeTags(undefined, tags);
      const now = env.clock.now();
      const bus: BusRecord = {
        accountId: context.accountId,
        region: context.region,
        name,
        arn: busArn(context.region, context.accountId, name),
        ...(description !== undefined ? { description } : {}),
        ...(kms ? { kmsKeyIdentifier: kms } : {}),
        ...(dlq ? { deadLetterConfig: dlq } : {}),
        creationTime: now,
        lastModifiedTime: now,
        ...(tags.length > 0 ? { tags } : {}),
      };
      store.putResource("bus", bus);
      return {
        EventBusArn: bus.arn,
        ...(description !== undefined ? { Description: description } : {}),
        ...(kms ? { KmsKeyIdentifier: kms } : {}),
        ...(dlq ? { DeadLetterConfig: dlq } : {}),
      };
    },

    DescribeEventBus: async (input: Record<string, unknown>, context: RequestContext) => {
      const name = core.parseBusName(input["Name"], context, "name");
      const bus = busRecordIn(name, context);
      if (!bus) throw eventsErrors.busNotFound(name);
      return describe(bus);
    },

    ListEventBuses: async (input: Record<string, unknown>, context: RequestContext) => {
      const prefix = optionalString(input["NamePrefix"], "namePrefix", BUS_NAME_MAX_LENGTH) ?? "";
      const buses = [
        busRecordIn(DEFAULT_BUS, context)!,
        ...store
          .resources("bus")
          .filter(
            (b) => b.accountId === context.accountId && b.region === context.region && b.name !== DEFAULT_BUS,
          ),
      ]
        .filter((b) => b.name.startsWith(prefix))
        .sort(compareNames);
      const { page, nextToken } = paginate(
        buses,
        input["NextToken"],
        optionalLimit(input["Limit"], LIST_MAX_LIMIT),
        LIST_MAX_LIMIT,
      );
      return { EventBuses: page.map(describe), ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    UpdateEventBus: async (input: Record<string, unknown>, context: RequestContext) => {
      const name = core.parseBusName(input["Name"], context, "name");
      const bus = busRecordIn(name, context);
      if (!bus) throw eventsErrors.busNotFound(name);
      const description = optionalString(input["Description"], "description", BUS_DESCRIPTION_MAX_LENGTH);
      const kms = optionalString(input["KmsKeyIdentifier"], "kmsKeyIdentifier", 2048);
      const dlq = deadLetterConfig(input["DeadLetterConfig"]);
      const now = env.clock.now();
      const updated: BusRecord = {
        ...bus,
        creationTime: bus.creationTime || now,
        lastModifiedTime: now,
      };
      if (description !== undefined) updated.description = description;
      if (kms !== undefined) {
        if (kms) updated.kmsKeyIdentifier = kms;
        else delete updated.kmsKeyIdentifier;
      }
      if (dlq !== undefined) updated.deadLetterConfig = dlq;
      store.putResource("bus", updated);
      return {
        Arn: updated.arn,
        Name: updated.name,
        ...(updated.kmsKeyIdentifier ? { KmsKeyIdentifier: updated.kmsKeyIdentifier } : {}),
        ...(updated.description !== undefined ? { Description: updated.description } : {}),
        ...(updated.deadLetterConfig ? { DeadLetterConfig: updated.deadLetterConfig } : {}),
      };
    },

    DeleteEventBus: async (input: Record<string, unknown>, context: RequestContext) => {
      const name = requireModelName(
        input["Name"],
        "name",
        BUS_NAME_MAX_LENGTH,
        BUS_NAME_PATTERN,
        "[/\\.\\-_A-Za-z0-9]+",
      );
      if (name === DEFAULT_BUS) throw validation("Cannot delete event bus default.");
      const bus = store.resource("bus", scopedKey(context.accountId, context.region, name));
      if (!bus) return {};
      if (core.rulesOn(context.accountId, context.region, name).length > 0) {
        throw validation("EventBus can't be deleted since it has rules.");
      }
      store.deleteResource("bus", keyOfResource(bus));
      return {};
    },
  };
}
