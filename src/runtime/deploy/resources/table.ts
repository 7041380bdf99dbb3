import type { DynamoDBClient, TableDescription } from "@aws-sdk/client-dynamodb";
import { readOrUndefined } from "../aws-errors.js";
import { ChangeList, decideAction } from "../compare.js";
import type { Operation, ResourceDriver } from "../driver.js";
import { WAITER_TIMING } from "../wait.js";

function sortedBy<T>(items: readonly T[] | undefined, key: (item: T) => string | undefined): T[] {
  return [...(items ?? [])].sort((a, b) => (key(a) ?? "").localeCompare(key(b) ?? ""));
}

/** The parts of a GSI that define it (AWS cannot change them in place: delete and re-add). */
interface IndexLike {
  IndexName?: string | undefined;
  KeySchema?: unknown;
  Projection?: { ProjectionType?: string | undefined; NonKeyAttributes?: string[] | undefined } | undefined;
}

function indexShape(indexes: readonly IndexLike[] | undefined) {
  return sortedBy(indexes, (index) => index.IndexName).map((index) => ({
    IndexName: index.IndexName,
    KeySchema: index.KeySchema,
    Projection: {
      ProjectionType: index.Projection?.ProjectionType,
      NonKeyAttributes: index.Projection?.NonKeyAttributes,
    },
  }));
}

/** Reads the table; undefined when it does not exist. */
export async function describeTable(
  ctx: { clients: { dynamodb(): Promise<DynamoDBClient> } },
  name: string,
): Promise<TableDescription | undefined> {
  const { DescribeTableCommand } = await import("@aws-sdk/client-dynamodb");
  const dynamodb = await ctx.clients.dynamodb();
  return (
    await readOrUndefined(
      () => dynamodb.send(new DescribeTableCommand({ TableName: name })),
      "ResourceNotFoundException",
    )
  )?.Table;
}

/**
 * The DynamoDB table. Key schema, GSIs and the stream view type cannot change in place: such a
 * difference is reported as replace-required and never done (the table holds the data). Billing
 * mode and a missing stream are updated.
 */
export const tableDriver: ResourceDriver = {
  kind: "table",
  async assess(ctx, ref) {
    const ddb = await import("@aws-sdk/client-dynamodb");
    const dynamodb = await ctx.clients.dynamodb();
    const declared = ctx.stack.table.definition;
    const live = await describeTable(ctx, ref.name);
    const waitActive = async () => {
      ctx.step("waiting for the table to be ACTIVE");
      await ddb.waitUntilTableExists({ client: dynamodb, ...WAITER_TIMING }, { TableName: ref.name });
    };
    if (live === undefined) {
      return {
        action: "create",
        changes: [],
        notes: [],
        ops: [
          {
            name: "CreateTable",
            run: async () => {
              await dynamodb.send(new ddb.CreateTableCommand(declared));
              await waitActive();
            },
          },
        ],
      };
    }
    const changes = new ChangeList();
    const ops: Operation[] = [];
    changes.compare("KeySchema", live.KeySchema, declared.KeySchema, { replaceRequired: true });
    changes.compare(
      "GlobalSecondaryIndexes",
      indexShape(live.GlobalSecondaryIndexes),
      indexShape(declared.GlobalSecondaryIndexes),
      {
        replaceRequired: true,
      },
    );
    const liveBilling = live.BillingModeSummary?.BillingMode ?? "PROVISIONED";
    if (changes.compare("BillingMode", liveBilling, declared.BillingMode)) {
      ops.push({
        name: "UpdateTable BillingMode",
        run: async () => {
          await dynamodb.send(
            new ddb.UpdateTableCommand({ TableName: ref.name, BillingMode: declared.BillingMode }),
          );
          await waitActive();
        },
      });
    }
    const liveStream = live.StreamSpecification?.StreamEnabled ? live.StreamSpecification : undefined;
    const declaredStream = declared.StreamSpecification;
    if (liveStream === undefined && declaredStream?.StreamEnabled) {
      changes.compare("StreamSpecification", undefined, declaredStream);
      ops.push({
        name: "UpdateTable StreamSpecification",
        run: async () => {
          await dynamodb.send(
            new ddb.UpdateTableCommand({ TableName: ref.name, StreamSpecification: declaredStream }),
          );
          await waitActive();
        },
      });
    } else if (liveStream !== undefined && declaredStream?.StreamEnabled) {
      // Changing the view type means disabling the stream and enabling a new one (a new ARN).
      changes.compare(
        "StreamSpecification.StreamViewType",
        liveStream.StreamViewType,
        declaredStream.StreamViewType,
        {
          replaceRequired: true,
        },
      );
    }
    const notes = changes.changes.some((change) => change.replaceRequired)
      ? [
          "AWS cannot change this in place; not done. Replace the table (pipeline destroy --include-table, then deploy).",
        ]
      : [];
    return { action: decideAction(true, changes.changes), changes: changes.changes, notes, ops };
  },
  async destroy(ctx, ref) {
    const ddb = await import("@aws-sdk/client-dynamodb");
    const dynamodb = await ctx.clients.dynamodb();
    const deleted = await readOrUndefined(
      () => dynamodb.send(new ddb.DeleteTableCommand({ TableName: ref.name })),
      "ResourceNotFoundException",
    );
    if (deleted === undefined) return "absent";
    ctx.step("waiting for the table to be deleted");
    await ddb.waitUntilTableNotExists({ client: dynamodb, ...WAITER_TIMING }, { TableName: ref.name });
    return "deleted";
  },
};
