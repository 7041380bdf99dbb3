import type { Clock } from "../../core/clock.js";
import type { DynaliteEngine, DynaliteOperation, Item, Output, ValidatedInput } from "./dynalite-engine.js";
import { dynamoErrors, type CancellationReason } from "./errors.js";
import { keysOf } from "./images.js";
import type { ItemTarget, ItemWriter } from "./item-writer.js";
import { renderViolations, violation } from "./constraints.js";
import { checkItemIndexKeys, checkUpdateIndexKeys } from "./index-keys.js";
import { hasItemCollections, itemCollectionMetrics } from "./item-collections.js";
import { TRANSACT_MAX_ITEMS, TRANSACTION_IDEMPOTENCY_MS } from "./limits.js";
import { checkItemNesting, checkTransactionSize } from "./request-checks.js";

type Input = Record<string, unknown>;
type WriteKind = "ConditionCheck" | "Put" | "Delete" | "Update";

interface PlannedWrite extends ItemTarget {
  kind: WriteKind;
  operation: DynaliteOperation;
  data: ValidatedInput;
  /** ReturnValuesOnConditionCheckFailure: ALL_OLD. */
  oldOnFailure: boolean;
  /** Bytes this action counts towards the 4 MB limit. */
  size: number;
  /** Set when the action's key or item is invalid: it cancels the transaction (ValidationError). */
  invalid?: string;
}

/**
 * The reason a failed condition gets; PartiQL's INSERT reports "DuplicateItem" where a Put with
 * a condition reports "ConditionalCheckFailed".
 */
export type ConditionFailureReason = (index: number) => CancellationReason | undefined;

const SHARED_MEMBERS = [
  "TableName",
  "ConditionExpression",
  "ExpressionAttributeNames",
  "ExpressionAttributeValues",
];

/**
 * TransactWriteItems and TransactGetItems, which dynalite lacks, built on its item operations.
 * All items are locked (sorted, so transactions cannot deadlock), every condition is checked
 * against the locked items, and only when all hold are the writes applied; a write that still
 * fails rolls back the ones before it. Cancellation reasons come back in AWS's shape, one per item.
 */
export class Transactions {
  private readonly tokens = new Map<string, { fingerprint: string; at: number }>();

  constructor(
    private readonly engine: DynaliteEngine,
    private readonly writer: ItemWriter,
    private readonly clock: Clock,
  ) {}

  async transactWriteItems(input: Input, conditionFailure?: ConditionFailureReason): Promise<Output> {
    const rawItems = transactItems(input);
    const writes: PlannedWrite[] = [];
    for (const raw of rawItems) writes.push(await this.planWrite(raw));
    cancelInvalid(writes);
    rejectDuplicates(writes);
    checkTransactionSize(writes.map((w) => w.size));
    const schemas = await Promise.all(writes.map((w) => this.writer.schema(w.table)));
    for (const [index, write] of writes.entries()) {
      const schema = schemas[index];
      if (schema && write.kind === "Put") checkItemIndexKeys(schema, write.data["Item"] as Item);
    }

    const token = typeof input["ClientRequestToken"] === "string" ? input["ClientRequestToken"] : undefined;
    const fingerprint = JSON.stringify(rawItems);
    if (token && this.alreadyApplied(token, fingerprint)) return this.capacity(input, writes);

    await this.writer.write(
      writes,
      true,
      async (oldImages) => {
        for (const [index, write] of writes.entries()) {
          const schema = schemas[index];
          if (schema && write.kind === "Update") checkUpdateIndexKeys(schema, write.data, oldImages[index]);
        }
        const reasons: CancellationReason[] = writes.map((write, index) => {
          const old = oldImages[index];
          if (!this.engine.conditionFailure(write.data, old)) return { Code: "None" };
          const reason = conditionFailure?.(index);
          if (reason) return reason;
          return {
            Code: "ConditionalCheckFailed",
            Message: "The conditional request failed",
            ...(write.oldOnFailure && old ? { Item: old } : {}),
          };
        });
        if (reasons.some((r) => r.Code !== "None")) throw dynamoErrors.transactionCanceled(reasons);

        const applied: number[] = [];
        for (const [index, write] of writes.entries()) {
          if (write.kind === "ConditionCheck") continue;
          try {
            await this.engine.execute(write.operation, write.data);
            applied.push(index);
          } catch (error) {
            await this.rollBack(writes, oldImages, applied);
            throw dynamoErrors.transactionCanceled(
              writes.map((_, i) =>
                i === index
                  ? {
                      Code: "ValidationError",
                      Message: error instanceof Error ? error.message : String(error),
                    }
                  : { Code: "None" },
              ),
            );
          }
        }
      },
      { kind: "transaction" },
    );
    if (token) this.tokens.set(token, { fingerprint, at: this.clock.now() });
    return { ...this.capacity(input, writes), ...(await this.collectionMetrics(input, writes)) };
  }

  /** ReturnItemCollectionMetrics: SIZE, per table with a local secondary index. */
  private async collectionMetrics(input: Input, writes: PlannedWrite[]): Promise<Output> {
    if (input["ReturnItemCollectionMetrics"] !== "SIZE") return {};
    const metrics: Record<string, unknown[]> = {};
    for (const write of writes) {
      if (write.kind === "ConditionCheck") continue;
      const table = await this.writer.schema(write.table);
      if (!hasItemCollections(table)) continue;
      const source = (write.kind === "Put" ? write.data["Item"] : write.data["Key"]) as Item;
      metrics[write.table] = [
        ...(metrics[write.table] ?? []),
        ...(await itemCollectionMetrics(this.engine, table, [source])),
      ];
    }
    return Object.keys(metrics).length > 0 ? { ItemCollectionMetrics: metrics } : {};
  }

  async transactGetItems(input: Input): Promise<Output> {
    const reads: (ItemTarget & { data: ValidatedInput; invalid?: string })[] = [];
    for (const raw of transactItems(input)) {
      const get = raw["Get"] as Input | undefined;
      if (!get || typeof get !== "object" || Object.keys(raw).length !== 1)
        throw dynamoErrors.validation("TransactItems can only contain Get operations");
      const data = this.engine.validate("GetItem", {
        ...pick(get, ["TableName", "Key", "ProjectionExpression", "ExpressionAttributeNames"]),
        ConsistentRead: true,
      });
      const name = data["TableName"] as string;
      const table = await this.writer.schema(name);
      if (!table) throw dynamoErrors.resourceNotFound();
      const problem = this.engine.keyProblem(table, data["Key"] as Item, true);
      if (problem && upFront(problem)) throw problem;
      reads.push({
        table: name,
        key: this.engine.keyOf(table, data["Key"] as Item, true) ?? "",
        data,
        ...(problem ? { invalid: problem.message } : {}),
      });
    }
    cancelInvalid(reads);
    rejectDuplicates(reads);
    const results = await this.writer.whileLocked(reads, () =>
      Promise.all(reads.map((read) => this.engine.execute("GetItem", read.data))),
    );
    return {
      Responses: results.map((result) => (result["Item"] ? { Item: result["Item"] } : {})),
      ...this.capacity(input, reads, 2),
    };
  }

  private async planWrite(raw: Input): Promise<PlannedWrite> {
    const kinds = (["ConditionCheck", "Put", "Delete", "Update"] as const).filter((k) => raw[k] != null);
    const kind = kinds[0];
    if (
      kinds.length !== 1 ||
      !kind ||
      Object.keys(raw).some((k) => raw[k] != null && !kinds.includes(k as WriteKind))
    )
      throw dynamoErrors.validation("TransactItems can only contain one of Check, Put, Update or Delete");
    const body = raw[kind] as Input;
    if (typeof body !== "object" || Array.isArray(body))
      throw dynamoErrors.serialization("Start of structure or map found where not expected");
    const shared = pick(body, SHARED_MEMBERS);
    let operation: DynaliteOperation;
    let request: Input;
    switch (kind) {
      case "Put":
        operation = "PutItem";
        request = { ...shared, Item: body["Item"] };
        break;
      case "Update":
        if (typeof body["UpdateExpression"] !== "string")
          throw dynamoErrors.validation(
            "1 validation error detected: Value null at 'transactItems.1.member.update.updateExpression' failed to satisfy constraint: Member must not be null",
          );
        operation = "UpdateItem";
        request = { ...shared, Key: body["Key"], UpdateExpression: body["UpdateExpression"] };
        break;
      case "Delete":
        operation = "DeleteItem";
        request = { ...shared, Key: body["Key"] };
        break;
      case "ConditionCheck":
        if (typeof body["ConditionExpression"] !== "string")
          throw dynamoErrors.validation(
            "1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null",
          );
        // Parsed like a conditional delete; never executed.
        operation = "DeleteItem";
        request = { ...shared, Key: body["Key"] };
        break;
    }
    const data = this.engine.validate(operation, request);
    const name = data["TableName"] as string;
    const table = await this.writer.schema(name);
    if (!table) throw dynamoErrors.resourceNotFound();
    const keySource = (kind === "Put" ? data["Item"] : data["Key"]) as Item;
    // A too deep Put item is refused outright; an Update's values are not measured (AWS, 2026).
    if (kind === "Put") checkItemNesting(keySource);
    const problem = this.engine.keyProblem(table, keySource, kind !== "Put");
    if (problem && upFront(problem)) throw problem;
    const values = data["ExpressionAttributeValues"] as Item | undefined;
    return {
      kind,
      operation,
      data,
      table: name,
      key: this.engine.keyOf(table, keySource, kind !== "Put") ?? "",
      oldOnFailure: body["ReturnValuesOnConditionCheckFailure"] === "ALL_OLD",
      size: this.engine.itemSize(keySource) + (values ? this.engine.itemSize(values) : 0),
      ...(problem ? { invalid: problem.message } : {}),
    };
  }

  /** Puts back the before images of the writes already applied (newest first). */
  private async rollBack(writes: PlannedWrite[], oldImages: (Item | undefined)[], applied: number[]) {
    for (const index of [...applied].reverse()) {
      const write = writes[index] as PlannedWrite;
      const old = oldImages[index];
      if (old) {
        await this.engine.run("PutItem", { TableName: write.table, Item: old });
      } else {
        const table = await this.writer.schema(write.table);
        const source = (write.kind === "Put" ? write.data["Item"] : write.data["Key"]) as Item;
        await this.engine.run("DeleteItem", {
          TableName: write.table,
          Key: table ? keysOf(source, table.KeySchema) : source,
        });
      }
    }
  }

  private alreadyApplied(token: string, fingerprint: string): boolean {
    const horizon = this.clock.now() - TRANSACTION_IDEMPOTENCY_MS;
    for (const [key, seen] of this.tokens) if (seen.at < horizon) this.tokens.delete(key);
    const seen = this.tokens.get(token);
    if (!seen) return false;
    if (seen.fingerprint !== fingerprint) throw dynamoErrors.idempotentMismatch();
    return true;
  }

  /** ConsumedCapacity when asked: transactional operations cost two units per item. */
  private capacity(input: Input, targets: ItemTarget[], unitsPerItem = 2): Output {
    const mode = input["ReturnConsumedCapacity"];
    if (mode !== "TOTAL" && mode !== "INDEXES") return {};
    const perTable = new Map<string, number>();
    for (const target of targets)
      perTable.set(target.table, (perTable.get(target.table) ?? 0) + unitsPerItem);
    return {
      ConsumedCapacity: [...perTable].map(([TableName, CapacityUnits]) => ({
        TableName,
        CapacityUnits,
        ...(mode === "INDEXES" ? { Table: { CapacityUnits } } : {}),
      })),
    };
  }
}

function transactItems(input: Input): Input[] {
  const items = input["TransactItems"];
  if (items === undefined || items === null)
    throw dynamoErrors.validation(
      "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null",
    );
  if (!Array.isArray(items)) throw dynamoErrors.serialization("Unrecognized collection type");
  if (items.length < 1 || items.length > TRANSACT_MAX_ITEMS) {
    throw dynamoErrors.validation(
      renderViolations([
        violation(
          "transactItems",
          items,
          undefined,
          `Member must have length ${
            items.length < 1 ? "greater than or equal to 1" : `less than or equal to ${TRANSACT_MAX_ITEMS}`
          }`,
        ),
      ]),
    );
  }
  for (const item of items) {
    if (!item || typeof item !== "object" || Array.isArray(item))
      throw dynamoErrors.serialization("Start of structure or map found where not expected");
  }
  return items as Input[];
}

/**
 * An invalid key (wrong type, missing attribute) cancels the transaction with a ValidationError
 * reason for that action and None for the others; an empty key value is refused up front.
 */
function cancelInvalid(actions: { invalid?: string }[]): void {
  if (!actions.some((a) => a.invalid !== undefined)) return;
  throw dynamoErrors.transactionCanceled(
    actions.map((a) =>
      a.invalid !== undefined ? { Code: "ValidationError", Message: a.invalid } : { Code: "None" },
    ),
  );
}

function upFront(problem: Error): boolean {
  return problem.message.startsWith("One or more parameter values are not valid.");
}

function rejectDuplicates(targets: ItemTarget[]): void {
  const seen = new Set<string>();
  for (const target of targets) {
    const id = `${target.table}\u0000${target.key}`;
    if (seen.has(id))
      throw dynamoErrors.validation("Transaction request cannot include multiple operations on one item");
    seen.add(id);
  }
}

function pick(source: Input, members: string[]): Input {
  const picked: Input = {};
  for (const member of members) if (source[member] !== undefined) picked[member] = source[member];
  return picked;
}
