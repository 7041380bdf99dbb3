import type { ChangeFeed } from "./change-feed.js";
import type { DynaliteEngine, DynaliteTable, Item, Output, ValidatedInput } from "./dynalite-engine.js";
import { DynamoDbError, dynamoErrors } from "./errors.js";
import { changesIndexes, checkIndexReadable, type IndexUpdates } from "./index-updates.js";
import {
  checkConsistentIndexRead,
  checkItemIndexKeys,
  checkUpdateIndexKeys,
  hasIndexKeys,
} from "./index-keys.js";
import { hasItemCollections, itemCollectionMetrics } from "./item-collections.js";
import type { ItemTarget, ItemWriter } from "./item-writer.js";
import {
  checkItemNesting,
  checkRequestItemsPresent,
  checkSegment,
  checkSpecificAttributes,
  checkValueNesting,
} from "./request-checks.js";
import { MAX_TAGS_PER_RESOURCE } from "./limits.js";
import { tableNameOfArn } from "./table-arns.js";
import {
  applyCreateSettings,
  applyCreateTags,
  applyUpdateSettings,
  checkCreateSettings,
  checkDeletable,
  checkSettingsAlone,
  checkTags,
  NOTHING_TO_UPDATE,
  parseTableSettings,
  TAGS_RULE,
  takeTableSettings,
  type GivenSettings,
  type Tag,
} from "./table-settings.js";
import {
  applyStreamSpecification,
  checkStreamUpdate,
  takeStreamSpecification,
  withStreamMembers,
} from "./table-streams.js";

type Input = Record<string, unknown>;

/**
 * DynamoDB (`DynamoDB_20120810`): dynalite does the work; this layer adds streams. Reads pass
 * straight through. Writes take the item's lock (so transactions and stream images stay exact) and,
 * on a table with a stream, record the change before answering. The caller's request goes to
 * dynalite unchanged, so its ReturnValues and the rest of the answer are dynalite's.
 */
export class DynamoDbProvider {
  constructor(
    private readonly engine: DynaliteEngine,
    private readonly feed: ChangeFeed,
    private readonly writer: ItemWriter,
    private readonly indexes: IndexUpdates,
  ) {}

  // --- tables -------------------------------------------------------------------------------

  async createTable(input: Input): Promise<Output> {
    const spec = takeStreamSpecification(input);
    const given = takeTableSettings(input);
    // The table (LevelDB) and its stream (the journal) are two writes: the intent lets start-up
    // recovery enable the stream of a table a crash left created without one.
    // (A name already taken makes CreateTable fail: no intent, so recovery can never give an
    // existing table a stream it was not asked for.)
    const name = input["TableName"];
    const intent =
      spec?.StreamEnabled &&
      spec.StreamViewType &&
      this.feed.durable &&
      typeof name === "string" &&
      !(await this.engine.table(name))
        ? this.feed.beginStreamTable(name, spec.StreamViewType)
        : undefined;
    try {
      const data = this.engine.validate("CreateTable", input);
      const settings = parseTableSettings(this.engine, given);
      checkCreateSettings(settings, data);
      // Stored with the table, in the one write that creates it.
      applyCreateSettings(settings, data, this.engine.place);
      const output = await this.engine.execute("CreateTable", data);
      // dynalite's timer turns its stored object ACTIVE in place: answer as it was (CREATING).
      const description = structuredClone(output["TableDescription"]) as DynaliteTable;
      const created = description.TableName;
      this.writer.forget(created);
      // dynalite flips CREATING to ACTIVE on a 0 ms timer; the next request must find it ACTIVE.
      await this.engine.settle(created, (t) => t?.TableStatus !== "CREATING");
      await applyCreateTags(this.engine, description.TableArn, settings.tags);
      if (spec?.StreamEnabled) applyStreamSpecification(this.feed, description, spec);
      return { ...output, TableDescription: withStreamMembers(this.feed, description) };
    } finally {
      if (intent !== undefined) this.feed.commitWrite(intent, []);
    }
  }

  async describeTable(input: Input): Promise<Output> {
    const output = await this.engine.run("DescribeTable", input);
    return { ...output, Table: withStreamMembers(this.feed, output["Table"]) };
  }

  async updateTable(input: Input): Promise<Output> {
    const given = takeTableSettings(input);
    if (Object.keys(given.members).length > 0) return this.updateSettings(input, given);
    if (!Object.entries(input).some(([member, value]) => member !== "TableName" && value != null)) {
      this.engine.validate("DescribeTable", { TableName: input["TableName"] });
      throw dynamoErrors.validation(NOTHING_TO_UPDATE);
    }
    if (changesIndexes(input)) {
      const table = await this.indexes.update(input);
      return { TableDescription: withStreamMembers(this.feed, table) };
    }
    const spec = takeStreamSpecification(input);
    if (!spec) {
      const output = await this.engine.run("UpdateTable", input);
      this.writer.forget(String(input["TableName"]));
      return { ...output, TableDescription: withStreamMembers(this.feed, output["TableDescription"]) };
    }
    const validated = this.engine.validate("DescribeTable", { TableName: input["TableName"] });
    const name = validated["TableName"] as string;
    const table = await this.engine.table(name);
    if (!table) throw dynamoErrors.tableNotFound(name);
    checkStreamUpdate(this.feed, name, spec);
    const otherChanges = Object.entries(input).some(
      ([member, value]) => member !== "TableName" && value != null,
    );
    let description: unknown;
    if (otherChanges) {
      const output = await this.engine.run("UpdateTable", input);
      this.writer.forget(name);
      description = output["TableDescription"];
    } else {
      description = (await this.engine.run("DescribeTable", { TableName: name }))["Table"];
    }
    applyStreamSpecification(this.feed, table, spec);
    return { TableDescription: withStreamMembers(this.feed, description) };
  }

  /** UpdateTable of a setting (deletion protection, SSE, warm throughput, table class): alone. */
  private async updateSettings(input: Input, given: GivenSettings): Promise<Output> {
    const name = this.engine.validate("DescribeTable", { TableName: input["TableName"] })[
      "TableName"
    ] as string;
    const settings = parseTableSettings(this.engine, given);
    checkSettingsAlone(settings, input);
    const changed = await this.engine.changeTable(name, (table) => applyUpdateSettings(settings, table));
    if (!changed) throw dynamoErrors.tableNotFound(name);
    return { TableDescription: withStreamMembers(this.feed, changed.table) };
  }

  async deleteTable(input: Input): Promise<Output> {
    const name = this.engine.validate("DeleteTable", input)["TableName"] as string;
    const stored = await this.engine.table(name);
    if (stored) checkDeletable(stored);
    const indexes = stored?.GlobalSecondaryIndexes ?? [];
    if (indexes.some((i) => i.IndexStatus === "CREATING" || i.IndexStatus === "DELETING"))
      throw dynamoErrors.resourceInUse(
        "Attempt to change a resource which is still in use: Cannot delete table while indexes are being created, updated, or deleted.",
      );
    const output = await this.engine.run("DeleteTable", input);
    const description = output["TableDescription"] as DynaliteTable;
    const answer = { ...output, TableDescription: withStreamMembers(this.feed, description) };
    this.feed.tableDeleted(name);
    this.writer.forget(name);
    await this.engine.settle(name, (t) => t === undefined);
    return answer;
  }

  // --- single-item writes -------------------------------------------------------------------

  putItem(input: Input): Promise<Output> {
    return this.writeOne("PutItem", input, (data) => data["Item"] as Item, false);
  }

  updateItem(input: Input): Promise<Output> {
    return this.writeOne("UpdateItem", input, (data) => data["Key"] as Item, true);
  }

  deleteItem(input: Input): Promise<Output> {
    return this.writeOne("DeleteItem", input, (data) => data["Key"] as Item, true);
  }

  private async writeOne(
    operation: "PutItem" | "UpdateItem" | "DeleteItem",
    input: Input,
    keySource: (data: ValidatedInput) => Item,
    isKeyOnly: boolean,
  ): Promise<Output> {
    // dynalite predates ReturnValuesOnConditionCheckFailure; the emulator adds the Item it returns.
    const oldOnFailure = input["ReturnValuesOnConditionCheckFailure"] === "ALL_OLD";
    const wantsMetrics = input["ReturnItemCollectionMetrics"] === "SIZE";
    const data = this.engine.validate(operation, input);
    if (operation === "PutItem") checkItemNesting(data["Item"] as Item);
    checkValueNesting(data["ExpressionAttributeValues"]);
    const name = data["TableName"] as string;
    const table = await this.writer.schema(name);
    const key = table ? this.engine.keyOf(table, keySource(data), isKeyOnly) : undefined;
    // A missing table or a malformed key: dynalite answers with the error; nothing is written.
    if (!table || key === undefined) return this.engine.execute(operation, data);
    if (operation === "PutItem") checkItemIndexKeys(table, data["Item"] as Item);
    // An update is checked against the item it changes: its before image, read under the lock.
    const checksUpdate = operation === "UpdateItem" && hasIndexKeys(table);
    const withOld = oldOnFailure || checksUpdate;
    const output = await this.writer.write([{ table: name, key }], withOld, async (oldImages) => {
      if (checksUpdate) checkUpdateIndexKeys(table, data, oldImages[0]);
      try {
        return await this.engine.execute(operation, data);
      } catch (error) {
        const old = oldImages[0];
        if (
          oldOnFailure &&
          old &&
          error instanceof DynamoDbError &&
          error.code === "ConditionalCheckFailedException"
        )
          throw new DynamoDbError(error.status, { ...error.body, Item: old });
        throw error;
      }
    });
    if (!wantsMetrics || !hasItemCollections(table)) return output;
    const [metrics] = await itemCollectionMetrics(this.engine, table, [keySource(data)]);
    return metrics ? { ...output, ItemCollectionMetrics: metrics } : output;
  }

  // --- batch writes -------------------------------------------------------------------------

  async batchWriteItem(input: Input): Promise<Output> {
    checkRequestItemsPresent("BatchWriteItem", input);
    const wantsMetrics = input["ReturnItemCollectionMetrics"] === "SIZE";
    const data = this.engine.validate("BatchWriteItem", input);
    const requestItems = data["RequestItems"] as Record<
      string,
      { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]
    >;
    const targets: ItemTarget[] = [];
    const collections = new Map<string, { table: DynaliteTable; keys: Item[] }>();
    for (const [name, requests] of Object.entries(requestItems)) {
      const table = await this.writer.schema(name);
      if (!table) return this.engine.execute("BatchWriteItem", data);
      for (const request of requests) checkItemNesting(request.PutRequest?.Item);
      if (hasItemCollections(table))
        collections.set(name, {
          table,
          keys: requests.map((r) => (r.PutRequest?.Item ?? r.DeleteRequest?.Key) as Item),
        });
      for (const request of requests) {
        const key = request.PutRequest
          ? this.engine.keyOf(table, request.PutRequest.Item, false)
          : request.DeleteRequest
            ? this.engine.keyOf(table, request.DeleteRequest.Key, true)
            : undefined;
        if (key === undefined) return this.engine.execute("BatchWriteItem", data);
        targets.push({ table: name, key });
      }
    }
    for (const [name, requests] of Object.entries(requestItems)) {
      const table = await this.writer.schema(name);
      if (table) for (const request of requests) checkItemIndexKeys(table, request.PutRequest?.Item);
    }
    // dynalite processes every request of a valid batch: UnprocessedItems is always {}.
    const output = await this.writer.write(targets, false, () => this.engine.execute("BatchWriteItem", data));
    if (!wantsMetrics || collections.size === 0) return output;
    const metrics: Record<string, unknown> = {};
    for (const [name, { table, keys }] of collections)
      metrics[name] = await itemCollectionMetrics(this.engine, table, keys);
    return { ...output, ItemCollectionMetrics: metrics };
  }

  // --- reads --------------------------------------------------------------------------------

  query(input: Input): Promise<Output> {
    return this.read("Query", input);
  }

  scan(input: Input): Promise<Output> {
    return this.read("Scan", input);
  }

  batchGetItem(input: Input): Promise<Output> {
    checkRequestItemsPresent("BatchGetItem", input);
    return this.engine.run("BatchGetItem", input);
  }

  private async read(operation: "Query" | "Scan", input: Input): Promise<Output> {
    // dynalite drops a Scan's ConsistentRead, so the index check reads the request as sent.
    const asked = { IndexName: input["IndexName"], ConsistentRead: input["ConsistentRead"] };
    const data = this.engine.validate(operation, input);
    if (operation === "Scan")
      checkConsistentIndexRead(await this.writer.schema(data["TableName"] as string), asked);
    checkSpecificAttributes(operation, data);
    if (data["IndexName"] != null)
      checkIndexReadable(await this.engine.table(data["TableName"] as string), data["IndexName"]);
    if (operation === "Scan") checkSegment(data);
    return this.engine.execute(operation, data);
  }

  // --- tags ---------------------------------------------------------------------------------

  /** TagResource, UntagResource, ListTagsOfResource: the ARN must be a table's. */
  tags(operation: "TagResource" | "UntagResource" | "ListTagsOfResource"): (input: Input) => Promise<Output> {
    return (input) => {
      const arn = input["ResourceArn"];
      if (arn === "")
        throw dynamoErrors.validation(
          "1 validation error detected: Value '' at 'resourceArn' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      // DynamoDB reads an index or stream ARN as not a table ARN, like any other malformed one.
      if (typeof arn === "string" && !tableNameOfArn(arn))
        throw dynamoErrors.validation(`Invalid TableArn: Invalid ResourceArn provided as input ${arn}`);
      if (operation === "TagResource") return this.tagResource(input);
      return this.engine.run(operation, input);
    };
  }

  /** TagResource with DynamoDB's tag rules (lengths, characters, `aws:`, duplicates, 50 per table). */
  private async tagResource(input: Input): Promise<Output> {
    const data = this.engine.validate("TagResource", input);
    const tags = this.engine.checkRequest({ Tags: TAGS_RULE }, { Tags: data["Tags"] })["Tags"] as Tag[];
    checkTags(tags);
    const existing = (await this.engine.run("ListTagsOfResource", { ResourceArn: data["ResourceArn"] }))[
      "Tags"
    ] as Tag[];
    const keys = new Set([...existing.map((t) => t.Key), ...tags.map((t) => t.Key)]);
    if (keys.size > MAX_TAGS_PER_RESOURCE)
      throw dynamoErrors.validation("Number of Tags exceed the current limit for the provided ResourceArn");
    return this.engine.execute("TagResource", data);
  }

  // --- pass-through -------------------------------------------------------------------------

  passThrough(operation: "GetItem" | "ListTables" | "DescribeTimeToLive"): (input: Input) => Promise<Output> {
    return (input) => this.engine.run(operation, input);
  }
}
