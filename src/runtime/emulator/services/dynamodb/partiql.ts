import { createHash } from "node:crypto";
import { ServiceError } from "../../core/errors.js";
import type { Rule, Rules } from "./constraints.js";
import type {
  AttributeValue,
  DynaliteEngine,
  DynaliteTable,
  Item,
  Output,
  ValidatedInput,
} from "./dynalite-engine.js";
import { dynamoErrors, type CancellationReason } from "./errors.js";
import type { ItemWriter } from "./item-writer.js";
import {
  numberLiteral,
  parseStatement,
  PartiqlError,
  projectionName,
  type Expr,
  type ParsedStatement,
  type PathPart,
  type SelectStatement,
  type Statement,
} from "./partiql-parser.js";
import type { DynamoDbProvider } from "./provider.js";
import type { Transactions } from "./transactions.js";

/**
 * PartiQL for DynamoDB: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction. Each
 * statement is parsed (partiql-parser.ts) and run as the item operation DynamoDB documents it as:
 * SELECT as a Query when the WHERE clause fixes the partition key (one Query per value of an `IN`
 * or `OR`), else as a Scan; INSERT as a PutItem that must not find the item (DuplicateItemException);
 * UPDATE as an UpdateItem of an item that must exist; DELETE as a DeleteItem (a missing item is no
 * error); the WHERE clause's other conditions become the write's condition. So every PartiQL write
 * goes through the provider's own write path (item lock, write-ahead intent, stream record) and a
 * transaction through TransactWriteItems' (all or nothing).
 */

type Input = Record<string, unknown>;

const STATEMENT_RULE: Rule = {
  type: "String",
  notNull: true,
  lengthGreaterThanOrEqual: 1,
  lengthLessThanOrEqual: 8192,
};
const PARAMETERS_RULE: Rule = {
  type: "List",
  lengthGreaterThanOrEqual: 1,
  children: "AttrStruct<ValueStruct>",
};
const RETURN_CAPACITY_RULE: Rule = { type: "String", enum: ["INDEXES", "TOTAL", "NONE"] };
const ON_FAILURE_RULE: Rule = { type: "String", enum: ["ALL_OLD", "NONE"] };

const EXECUTE_RULES: Rules = {
  Statement: STATEMENT_RULE,
  Parameters: PARAMETERS_RULE,
  ConsistentRead: "Boolean",
  NextToken: { type: "String", lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 32768 },
  ReturnConsumedCapacity: RETURN_CAPACITY_RULE,
  Limit: { type: "Integer", greaterThanOrEqual: 1 },
  ReturnValuesOnConditionCheckFailure: ON_FAILURE_RULE,
};

const BATCH_RULES: Rules = {
  Statements: {
    type: "List",
    notNull: true,
    lengthGreaterThanOrEqual: 1,
    lengthLessThanOrEqual: 25,
    children: {
      type: "ValueStruct<BatchStatementRequest>",
      children: {
        Statement: STATEMENT_RULE,
        Parameters: PARAMETERS_RULE,
        ConsistentRead: "Boolean",
        ReturnValuesOnConditionCheckFailure: ON_FAILURE_RULE,
      },
    },
  },
  ReturnConsumedCapacity: RETURN_CAPACITY_RULE,
};

const TRANSACTION_RULES: Rules = {
  TransactStatements: {
    type: "List",
    notNull: true,
    lengthGreaterThanOrEqual: 1,
    lengthLessThanOrEqual: 100,
    children: {
      type: "ValueStruct<ParameterizedStatement>",
      children: {
        Statement: STATEMENT_RULE,
        Parameters: PARAMETERS_RULE,
        ReturnValuesOnConditionCheckFailure: ON_FAILURE_RULE,
      },
    },
  },
  ClientRequestToken: { type: "String", lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 36 },
  ReturnConsumedCapacity: RETURN_CAPACITY_RULE,
};

const DUPLICATE_ITEM = "Duplicate primary key exists in table";
const INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes";

interface StatementRequest {
  Statement: string;
  Parameters?: AttributeValue[];
  ConsistentRead?: boolean;
  ReturnValuesOnConditionCheckFailure?: string;
}

/** What a write statement becomes: the item operation, its request, and how to answer. */
interface PlannedWrite {
  operation: "PutItem" | "UpdateItem" | "DeleteItem" | "ConditionCheck";
  table: string;
  request: Input;
  insert: boolean;
}

export class PartiQL {
  constructor(
    private readonly engine: DynaliteEngine,
    private readonly writer: ItemWriter,
    private readonly provider: DynamoDbProvider,
    private readonly transactions: Transactions,
  ) {}

  // --- ExecuteStatement ---------------------------------------------------------------------

  async executeStatement(input: Input): Promise<Output> {
    const data = this.engine.checkRequest(EXECUTE_RULES, input) as Input & StatementRequest;
    const parsed = refusing(() => parse(data));
    const capacity = data["ReturnConsumedCapacity"] as string | undefined;
    const { statement } = parsed;
    if (statement.kind === "exists")
      throw dynamoErrors.validation("EXISTS can only be used in ExecuteTransaction write requests.");
    if (statement.kind === "select")
      return this.select(statement, data, {
        limit: data["Limit"] as number | undefined,
        nextToken: data["NextToken"] as string | undefined,
        capacity,
      });
    const write = await this.planWrite(statement, data);
    return this.runWrite(write, capacity);
  }

  // --- BatchExecuteStatement ----------------------------------------------------------------

  async batchExecuteStatement(input: Input): Promise<Output> {
    const data = this.engine.checkRequest(BATCH_RULES, input);
    const requests = data["Statements"] as StatementRequest[];
    const capacity = data["ReturnConsumedCapacity"] as string | undefined;
    // Every statement is parsed first: reads and writes may not be mixed (the batch is refused),
    // a statement that does not parse fails on its own.
    const parsed = requests.map((request) => {
      try {
        const result = parse(request);
        if (result.statement.kind === "exists")
          throw new PartiqlError("EXISTS can only be used in ExecuteTransaction write requests.");
        return { result };
      } catch (error) {
        return { error: asServiceError(error) };
      }
    });
    const kinds = new Set(parsed.flatMap((p) => (p.result ? [p.result.statement.kind === "select"] : [])));
    if (kinds.size > 1)
      throw dynamoErrors.validation("Read and write requests together in the same batch is not supported.");
    const responses: Output[] = [];
    const consumed = new Map<string, number>();
    for (const [index, entry] of parsed.entries()) {
      const request = requests[index] as StatementRequest;
      if (!entry.result) {
        responses.push({ Error: batchError(entry.error) });
        continue;
      }
      const { statement } = entry.result;
      const table = tableOf(statement);
      try {
        let output: Output;
        if (statement.kind === "select") {
          const schema = await this.schema(statement.table);
          if (statement.index !== undefined || !fixesWholeKey(statement.where, keyNames(schema)))
            throw dynamoErrors.validation("Only single item select is supported");
          output = await this.select(statement, request, { capacity });
          const item = (output["Items"] as Item[])[0];
          responses.push({ TableName: table, ...(item ? { Item: item } : {}) });
        } else {
          output = await this.runWrite(await this.planWrite(statement, request), capacity);
          responses.push({ TableName: table });
        }
        addCapacity(consumed, output["ConsumedCapacity"]);
      } catch (error) {
        responses.push({ TableName: table, Error: batchError(asServiceError(error)) });
      }
    }
    return { Responses: responses, ...capacityList(consumed, capacity) };
  }

  // --- ExecuteTransaction -------------------------------------------------------------------

  async executeTransaction(input: Input): Promise<Output> {
    const data = this.engine.checkRequest(TRANSACTION_RULES, input);
    const requests = data["TransactStatements"] as StatementRequest[];
    const capacity = data["ReturnConsumedCapacity"] as string | undefined;
    const parsed = requests.map((request, index) => inStatement(index, () => refusing(() => parse(request))));
    const reads = parsed.map((p) => p.statement.kind === "select");
    if (reads.some((r) => r) && reads.some((r) => !r))
      throw dynamoErrors.validation(
        "ExecuteTransaction API does not support both read and write operations in the same request.",
      );
    if (reads[0]) return this.transactRead(parsed, requests, capacity);

    const writes: PlannedWrite[] = [];
    for (const [index, { statement }] of parsed.entries()) {
      const request = requests[index] as StatementRequest;
      writes.push(
        await inStatementAsync(index, () =>
          this.planWrite(statement as Exclude<Statement, SelectStatement>, request, true),
        ),
      );
    }
    const transactItems = writes.map((write) => {
      const { ReturnValues: _returnValues, ...rest } = write.request;
      const body: Input = { TableName: write.table, ...rest };
      switch (write.operation) {
        case "PutItem":
          return { Put: body };
        case "UpdateItem":
          return { Update: body };
        case "DeleteItem":
          return { Delete: body };
        case "ConditionCheck":
          return { ConditionCheck: body };
      }
    });
    const output = await this.transactions.transactWriteItems(
      {
        TransactItems: transactItems,
        ...(data["ClientRequestToken"] ? { ClientRequestToken: data["ClientRequestToken"] } : {}),
        ...(capacity ? { ReturnConsumedCapacity: capacity } : {}),
      },
      (index): CancellationReason | undefined =>
        writes[index]?.insert ? { Code: "DuplicateItem", Message: DUPLICATE_ITEM } : undefined,
    );
    return output["ConsumedCapacity"] ? { ConsumedCapacity: output["ConsumedCapacity"] } : {};
  }

  private async transactRead(
    parsed: ParsedStatement[],
    requests: StatementRequest[],
    capacity: string | undefined,
  ): Promise<Output> {
    const gets: { Get: Input }[] = [];
    const checks: { select: SelectStatement; condition: Expr | undefined; params: AttributeValue[] }[] = [];
    for (const [index, { statement }] of parsed.entries()) {
      const select = statement as SelectStatement;
      const params = requests[index]?.Parameters ?? [];
      await inStatementAsync(index, async () => {
        if (select.index !== undefined)
          throw new PartiqlError("Reads on indices are not supported within transactions.");
        const schema = await this.schema(select.table);
        const split = splitKey(select.where, keyNames(schema), params);
        if (!split)
          throw new PartiqlError(
            "Select statements within ExecuteTransaction must specify the primary key in the where clause.",
          );
        checkKeyTypes(schema, split.key);
        gets.push({ Get: { TableName: select.table, Key: split.key } });
        checks.push({ select, condition: split.rest, params });
      });
    }
    const output = await this.transactions.transactGetItems({
      TransactItems: gets,
      ...(capacity ? { ReturnConsumedCapacity: capacity } : {}),
    });
    const responses = (output["Responses"] as { Item?: Item }[]).map((response, index) => {
      const check = checks[index] as (typeof checks)[number];
      const item = response.Item;
      if (!item || !this.holds(check.select.table, check.condition, check.params, item)) return {};
      return { Item: project(item, check.select.projection) };
    });
    return {
      Responses: responses,
      ...(output["ConsumedCapacity"] ? { ConsumedCapacity: output["ConsumedCapacity"] } : {}),
    };
  }

  // --- SELECT -------------------------------------------------------------------------------

  private async select(
    statement: SelectStatement,
    request: StatementRequest,
    page: { limit?: number | undefined; nextToken?: string | undefined; capacity: string | undefined },
  ): Promise<Output> {
    const params = request.Parameters ?? [];
    const table = await this.schema(statement.table);
    const index =
      statement.index === undefined
        ? undefined
        : [...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])].find(
            (i) => i.IndexName === statement.index,
          );
    if (
      request.ConsistentRead &&
      statement.index !== undefined &&
      (table.GlobalSecondaryIndexes ?? []).some((i) => i.IndexName === statement.index)
    )
      throw dynamoErrors.validation("Strongly consistent read is not supported on Global Secondary Indexes");
    const keySchema = index ? index.KeySchema : table.KeySchema;
    const hashName = keySchema.find((k) => k.KeyType === "HASH")?.AttributeName as string;
    const rangeName = keySchema.find((k) => k.KeyType === "RANGE")?.AttributeName;
    const plan = refusing(() => planSelect(statement, hashName, rangeName, params));

    const fingerprint = createHash("sha256")
      .update(JSON.stringify([request.Statement, params]))
      .digest("base64url")
      .slice(0, 16);
    let position = { query: 0, start: undefined as Item | undefined };
    if (page.nextToken !== undefined) position = readToken(page.nextToken, fingerprint);

    const base: Input = {
      TableName: statement.table,
      ...(statement.index !== undefined ? { IndexName: statement.index } : {}),
      ...(request.ConsistentRead ? { ConsistentRead: true } : {}),
      ...(page.capacity ? { ReturnConsumedCapacity: page.capacity } : {}),
    };
    const items: Item[] = [];
    let remaining = page.limit;
    let units = 0;
    let next: { query: number; start: Item | undefined } | undefined;
    const queries = plan.queries;
    const count = queries ? queries.length : 1;
    for (let query = position.query; query < count; query++) {
      const start = query === position.query ? position.start : undefined;
      const call: Input = {
        ...base,
        ...(start ? { ExclusiveStartKey: start } : {}),
        ...(remaining !== undefined ? { Limit: remaining } : {}),
      };
      const builder = new ExpressionBuilder(params);
      let output: Output;
      if (queries) {
        const spec = queries[query] as QuerySpec;
        const keyCondition = [`${builder.name(hashName)} = ${builder.value(spec.hash)}`];
        if (spec.range) keyCondition.push(builder.condition(spec.range));
        const filter = spec.filter ? builder.condition(spec.filter) : undefined;
        output = await this.provider.query({
          ...call,
          KeyConditionExpression: keyCondition.join(" AND "),
          ...(filter ? { FilterExpression: filter } : {}),
          ...(plan.descending ? { ScanIndexForward: false } : {}),
          ...builder.members(),
        });
      } else {
        const filter = statement.where
          ? refusing(() => builder.condition(statement.where as Expr))
          : undefined;
        output = await this.provider.scan({
          ...call,
          ...(filter ? { FilterExpression: filter } : {}),
          ...builder.members(),
        });
      }
      items.push(...((output["Items"] as Item[] | undefined) ?? []));
      units += Number(
        (output["ConsumedCapacity"] as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0,
      );
      const last = output["LastEvaluatedKey"] as Item | undefined;
      if (last) {
        next = { query, start: last };
        break;
      }
      if (remaining !== undefined) {
        remaining -= Number(output["ScannedCount"] ?? 0);
        if (remaining <= 0) {
          if (query + 1 < count) next = { query: query + 1, start: undefined };
          break;
        }
      }
    }
    return {
      Items: items.map((item) => project(item, statement.projection)),
      ...(next ? { NextToken: writeToken(next, fingerprint) } : {}),
      ...(page.capacity && page.capacity !== "NONE"
        ? { ConsumedCapacity: { TableName: statement.table, CapacityUnits: units } }
        : {}),
    };
  }

  // --- writes -------------------------------------------------------------------------------

  /** The item operation a write statement (or a transaction's EXISTS) is. */
  private async planWrite(
    statement: Exclude<Statement, SelectStatement>,
    request: StatementRequest,
    inTransaction = false,
  ): Promise<PlannedWrite> {
    const params = request.Parameters ?? [];
    const onFailure =
      request.ReturnValuesOnConditionCheckFailure === "ALL_OLD"
        ? { ReturnValuesOnConditionCheckFailure: "ALL_OLD" }
        : {};
    if (statement.kind === "exists") {
      const select = statement.select;
      if (select.index !== undefined)
        throw dynamoErrors.validation("Operations on indices are not supported in transactions");
      const schema = await this.schema(select.table);
      const split = refusing(() => splitKey(select.where, keyNames(schema), params));
      if (!split?.rest)
        throw dynamoErrors.validation("EXISTS() must contain a single item read with additional condition");
      checkKeyTypes(schema, split.key);
      const builder = new ExpressionBuilder(params);
      const condition = refusing(() => builder.condition(split.rest as Expr));
      return {
        operation: "ConditionCheck",
        table: select.table,
        request: { Key: split.key, ConditionExpression: condition, ...builder.members(), ...onFailure },
        insert: false,
      };
    }
    if (inTransaction && statement.kind !== "insert" && statement.returning)
      throw dynamoErrors.validation("Unsupported operation in transaction.");
    const schema = await this.schema(statement.table);
    const keys = keyNames(schema);
    if (statement.kind === "insert") {
      const item = refusing(() => insertedItem(statement.item, params));
      for (const key of keys)
        if (item[key] === undefined)
          throw dynamoErrors.validation(`Key attribute should be present in the item: Key ${key}`);
      checkKeyTypes(schema, item);
      return {
        operation: "PutItem",
        table: statement.table,
        request: {
          Item: item,
          ConditionExpression: "attribute_not_exists(#k)",
          ExpressionAttributeNames: { "#k": keys[0] },
        },
        insert: true,
      };
    }
    const split = refusing(() => splitKey(statement.where, keys, params, true));
    if (!split) throw dynamoErrors.validation(INCOMPLETE_KEY);
    checkKeyTypes(schema, split.key);
    const builder = new ExpressionBuilder(params);
    const returning = statement.returning ? { ReturnValues: statement.returning } : {};
    if (statement.kind === "delete") {
      // A missing item is no error (nothing to delete); an item that fails the condition is.
      const rest = split.rest;
      const condition = rest
        ? refusing(
            () => `attribute_not_exists(${builder.name(keys[0] as string)}) OR ${builder.condition(rest)}`,
          )
        : undefined;
      return {
        operation: "DeleteItem",
        table: statement.table,
        request: {
          Key: split.key,
          ...(condition ? { ConditionExpression: condition } : {}),
          ...builder.members(),
          ...returning,
          ...onFailure,
        },
        insert: false,
      };
    }
    const update = refusing(() => builder.update(statement.actions));
    // UPDATE changes an item that exists: a missing one fails the condition.
    const exists = `attribute_exists(${builder.name(keys[0] as string)})`;
    return {
      operation: "UpdateItem",
      table: statement.table,
      request: {
        Key: split.key,
        UpdateExpression: update,
        ConditionExpression: split.rest
          ? refusing(() => builder.andWith(exists, split.rest as Expr))
          : exists,
        ...builder.members(),
        ...returning,
        ...onFailure,
      },
      insert: false,
    };
  }

  private async runWrite(write: PlannedWrite, capacity: string | undefined): Promise<Output> {
    const request = {
      TableName: write.table,
      ...write.request,
      ...(capacity ? { ReturnConsumedCapacity: capacity } : {}),
    };
    let output: Output;
    try {
      if (write.operation === "PutItem") output = await this.provider.putItem(request);
      else if (write.operation === "UpdateItem") output = await this.provider.updateItem(request);
      else output = await this.provider.deleteItem(request);
    } catch (error) {
      if (write.insert && error instanceof ServiceError && error.code === "ConditionalCheckFailedException")
        throw new ServiceError("DuplicateItemException", DUPLICATE_ITEM);
      throw error;
    }
    const attributes = output["Attributes"] as Item | undefined;
    return {
      Items: attributes && Object.keys(attributes).length > 0 ? [attributes] : [],
      ...(output["ConsumedCapacity"] ? { ConsumedCapacity: output["ConsumedCapacity"] } : {}),
    };
  }

  /** Whether `condition` holds for `item` (DynamoDB's condition evaluation, dynalite's code). */
  private holds(table: string, condition: Expr | undefined, params: AttributeValue[], item: Item): boolean {
    if (!condition) return true;
    const builder = new ExpressionBuilder(params);
    const expression = refusing(() => builder.condition(condition));
    const data: ValidatedInput = this.engine.validate("DeleteItem", {
      TableName: table,
      Key: {},
      ConditionExpression: expression,
      ...builder.members(),
    });
    return this.engine.conditionFailure(data, item) === undefined;
  }

  private async schema(name: string): Promise<DynaliteTable> {
    const table = await this.writer.schema(name);
    if (!table) throw dynamoErrors.resourceNotFound();
    return table;
  }
}

// --- statements and keys ----------------------------------------------------------------------

function parse(request: StatementRequest): ParsedStatement {
  if (typeof request.Statement !== "string" || request.Statement === "")
    throw new PartiqlError("The statement was empty.");
  const parsed = parseStatement(request.Statement);
  if ((request.Parameters?.length ?? 0) < parsed.parameters)
    throw new PartiqlError("Number of parameters in request and statement don't match.");
  return parsed;
}

function tableOf(statement: Statement): string {
  return statement.kind === "exists" ? statement.select.table : statement.table;
}

function keyNames(table: DynaliteTable): string[] {
  const hash = table.KeySchema.find((k) => k.KeyType === "HASH")?.AttributeName as string;
  const range = table.KeySchema.find((k) => k.KeyType === "RANGE")?.AttributeName;
  return range ? [hash, range] : [hash];
}

function conjuncts(expr: Expr): Expr[] {
  return expr.kind === "binary" && expr.op === "AND"
    ? [...conjuncts(expr.left), ...conjuncts(expr.right)]
    : [expr];
}

function disjuncts(expr: Expr): Expr[] {
  return expr.kind === "binary" && expr.op === "OR"
    ? [...disjuncts(expr.left), ...disjuncts(expr.right)]
    : [expr];
}

function and(parts: Expr[]): Expr | undefined {
  return parts.reduce<Expr | undefined>(
    (left, right) => (left ? { kind: "binary", op: "AND", left, right } : right),
    undefined,
  );
}

const isConstant = (expr: Expr) => ["value", "number", "param"].includes(expr.kind);

/** The attribute a `name = constant` (either way round) fixes, with the constant. */
function equality(expr: Expr): { name: string; value: Expr } | undefined {
  if (expr.kind !== "binary" || expr.op !== "=") return undefined;
  const [path, value] = expr.left.kind === "path" ? [expr.left, expr.right] : [expr.right, expr.left];
  if (path.kind !== "path" || path.parts.length !== 1 || !isConstant(value)) return undefined;
  const part = path.parts[0] as PathPart;
  return "name" in part ? { name: part.name, value } : undefined;
}

/**
 * The key a WHERE clause fixes with equalities joined by AND, and the conditions left over;
 * undefined when it does not fix every key attribute.
 */
function splitKey(
  where: Expr | undefined,
  keys: string[],
  params: AttributeValue[],
  strict = false,
): { key: Item; rest: Expr | undefined } | undefined {
  if (!where) return undefined;
  const key: Item = {};
  const rest: Expr[] = [];
  for (const part of conjuncts(where)) {
    const fixed = equality(part);
    if (fixed && keys.includes(fixed.name)) {
      if (key[fixed.name] !== undefined) {
        if (strict)
          throw new PartiqlError(
            `Multiple conditions on same key ${fixed.name}. Only single item Update/Insert/Delete are supported`,
          );
        rest.push(part);
        continue;
      }
      key[fixed.name] = constant(fixed.value, params);
    } else {
      rest.push(part);
    }
  }
  if (keys.some((k) => key[k] === undefined)) return undefined;
  return { key, rest: and(rest) };
}

function fixesWholeKey(where: Expr | undefined, keys: string[]): boolean {
  if (!where) return false;
  const fixed = new Set(conjuncts(where).flatMap((part) => equality(part)?.name ?? []));
  return keys.every((k) => fixed.has(k));
}

function checkKeyTypes(table: DynaliteTable, item: Item): void {
  for (const key of keyNames(table)) {
    const value = item[key];
    const type = table.AttributeDefinitions.find((d) => d.AttributeName === key)?.AttributeType;
    if (value && type && Object.keys(value)[0] !== type)
      throw dynamoErrors.validation(
        `Key attribute's data type should match its data type in table's schema: Key ${key}`,
      );
  }
}

interface QuerySpec {
  hash: AttributeValue;
  range: Expr | undefined;
  filter: Expr | undefined;
}

/**
 * A SELECT as Queries (one per partition key value the WHERE clause names, in every branch of an
 * OR) or, when some branch leaves the partition key open, as a Scan (`queries` undefined).
 */
function planSelect(
  statement: SelectStatement,
  hashName: string,
  rangeName: string | undefined,
  params: AttributeValue[],
): { queries: QuerySpec[] | undefined; descending: boolean } {
  const branches = statement.where ? disjuncts(statement.where) : [];
  const byHash = new Map<string, { hash: AttributeValue; rests: (Expr | undefined)[] }>();
  let queried = branches.length > 0;
  for (const branch of branches) {
    const parts = conjuncts(branch);
    const at = parts.findIndex((p) => equality(p)?.name === hashName || isHashIn(p, hashName));
    if (at < 0) {
      queried = false;
      break;
    }
    const hashPart = parts[at] as Expr;
    const rest = and(parts.filter((_, i) => i !== at));
    const values =
      hashPart.kind === "in"
        ? hashPart.options.map((o) => constant(o, params))
        : [constant(equality(hashPart)?.value as Expr, params)];
    for (const hash of values) {
      const id = JSON.stringify(hash);
      const entry = byHash.get(id) ?? { hash, rests: [] };
      entry.rests.push(rest);
      byHash.set(id, entry);
    }
  }
  const orderBy = statement.orderBy;
  if (orderBy.length > 0) {
    if (!statement.where)
      throw new PartiqlError("Must have WHERE clause in the statement when using ORDER BY clause.");
    if (!queried)
      throw new PartiqlError(
        "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.",
      );
    for (const { attribute } of orderBy)
      if (attribute !== hashName && attribute !== rangeName)
        throw new PartiqlError(
          `Variable reference ${attribute} in ORDER BY clause must be part of the primary key`,
        );
    if (byHash.size > 1 && !orderBy.some((o) => o.attribute === hashName))
      throw new PartiqlError(
        "Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause.",
      );
  }
  if (!queried) return { queries: undefined, descending: false };
  const hashOrder = orderBy.find((o) => o.attribute === hashName);
  const rangeOrder = orderBy.find((o) => o.attribute === rangeName);
  let entries = [...byHash.values()];
  if (hashOrder) {
    entries = entries.sort((a, b) => compareKeys(a.hash, b.hash));
    if (hashOrder.descending) entries.reverse();
  }
  const queries = entries.map(({ hash, rests }) => {
    // One branch: a condition on the sort key narrows the Query itself.
    if (rests.length === 1) {
      const parts = rests[0] ? conjuncts(rests[0]) : [];
      const at = rangeName ? parts.findIndex((p) => isRangeCondition(p, rangeName)) : -1;
      const range = at >= 0 ? parts[at] : undefined;
      const filter = and(parts.filter((_, i) => i !== at));
      checkFilterKeys(filter, [hashName, rangeName]);
      return { hash, range, filter };
    }
    // Several branches on one partition: the item matches any of them.
    const filter = rests.some((r) => r === undefined)
      ? undefined
      : rests.reduce<Expr | undefined>(
          (left, right) => (left ? { kind: "binary", op: "OR", left, right: right as Expr } : right),
          undefined,
        );
    checkFilterKeys(filter, [hashName, rangeName]);
    return { hash, range: undefined, filter };
  });
  return { queries, descending: rangeOrder?.descending === true };
}

function isHashIn(expr: Expr, hashName: string): boolean {
  if (expr.kind !== "in" || expr.negated || expr.value.kind !== "path" || expr.value.parts.length !== 1)
    return false;
  const part = expr.value.parts[0] as PathPart;
  return "name" in part && part.name === hashName && expr.options.every(isConstant);
}

/** A condition a Query's key condition can take on the sort key. */
function isRangeCondition(expr: Expr, rangeName: string): boolean {
  const isRange = (e: Expr) =>
    e.kind === "path" &&
    e.parts.length === 1 &&
    "name" in (e.parts[0] as PathPart) &&
    (e.parts[0] as { name: string }).name === rangeName;
  if (expr.kind === "binary" && ["=", "<", "<=", ">", ">="].includes(expr.op))
    return (isRange(expr.left) && isConstant(expr.right)) || (isRange(expr.right) && isConstant(expr.left));
  if (expr.kind === "between")
    return !expr.negated && isRange(expr.value) && isConstant(expr.low) && isConstant(expr.high);
  if (expr.kind === "call" && expr.name === "begins_with")
    return expr.args.length === 2 && isRange(expr.args[0] as Expr) && isConstant(expr.args[1] as Expr);
  return false;
}

/** A Query's filter cannot name a key attribute: two conditions on the sort key cannot be served. */
function checkFilterKeys(filter: Expr | undefined, keys: (string | undefined)[]): void {
  if (filter && keys.some((key) => key !== undefined && mentions(filter, key)))
    throw new PartiqlError("Overlapping conditions with range keys are not supported in where clause");
}

function mentions(expr: Expr, name: string): boolean {
  switch (expr.kind) {
    case "path": {
      const first = expr.parts[0];
      return first !== undefined && "name" in first && first.name === name;
    }
    case "binary":
      return mentions(expr.left, name) || mentions(expr.right, name);
    case "not":
      return mentions(expr.operand, name);
    case "between":
      return mentions(expr.value, name) || mentions(expr.low, name) || mentions(expr.high, name);
    case "in":
      return mentions(expr.value, name) || expr.options.some((o) => mentions(o, name));
    case "is":
      return mentions(expr.value, name);
    case "call":
      return expr.args.some((a) => mentions(a, name));
    default:
      return false;
  }
}

/** Key values in DynamoDB's order: numbers by value, strings and binaries by their bytes. */
function compareKeys(a: AttributeValue, b: AttributeValue): number {
  if (a["N"] !== undefined && b["N"] !== undefined) return Number(a["N"]) - Number(b["N"]);
  const bytes = (v: AttributeValue) =>
    v["B"] !== undefined ? Buffer.from(String(v["B"]), "base64") : Buffer.from(String(v["S"] ?? ""), "utf8");
  return Buffer.compare(bytes(a), bytes(b));
}

// --- values -------------------------------------------------------------------------------

/** A literal or parameter as an AttributeValue (`where` names its place in number errors). */
function constant(expr: Expr, params: AttributeValue[], where = "root"): AttributeValue {
  switch (expr.kind) {
    case "value":
      return expr.value;
    case "number":
      return { N: numberLiteral(expr.text, where) };
    case "param":
      return params[expr.index] as AttributeValue;
    case "tuple": {
      const map: Item = {};
      for (const entry of expr.entries) {
        if (map[entry.key] !== undefined)
          throw new PartiqlError(`Duplicate keys in tuple. Key: ${entry.key} under ${where}`);
        if (entry.value.kind === "missing") continue;
        map[entry.key] = constant(entry.value, params, `${where}.${entry.key}`);
      }
      return { M: map };
    }
    case "list":
      return { L: expr.items.map((item, i) => constant(item, params, `${where}[${String(i)}]`)) };
    case "bag": {
      if (expr.items.length === 0) throw new PartiqlError("Empty bags are not supported");
      const values = expr.items.map((item) =>
        item.kind === "param" ? undefined : constant(item, params, where),
      );
      if (values.every((v) => v?.["S"] !== undefined)) return { SS: values.map((v) => v?.["S"]) };
      if (values.every((v) => v?.["N"] !== undefined)) return { NS: values.map((v) => v?.["N"]) };
      throw new PartiqlError(
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags",
      );
    }
    case "missing":
      throw new PartiqlError("MISSING must be compared using IS operator");
    default:
      throw new PartiqlError(`Unsupported operation: ${expr.kind}`);
  }
}

function insertedItem(expr: Expr, params: AttributeValue[]): Item {
  if (expr.kind === "param") {
    const value = params[expr.index];
    if (!value?.["M"])
      throw new PartiqlError(
        "Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.",
      );
    return value["M"] as Item;
  }
  if (expr.kind !== "tuple")
    throw new PartiqlError(
      "Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.",
    );
  const item: Item = {};
  for (const entry of expr.entries) {
    if (item[entry.key] !== undefined)
      throw new PartiqlError(`Duplicate keys in tuple. Key: ${entry.key} under root`);
    if (entry.value.kind === "missing") continue;
    item[entry.key] = constant(entry.value, params);
  }
  return item;
}

/** The attributes a SELECT's projection names, each under its last name (`a.b[1]` as `b[1]`). */
function project(item: Item, projection: PathPart[][] | undefined): Item {
  if (!projection) return item;
  const out: Item = {};
  for (const path of projection) {
    const value = valueAt(item, path);
    if (value !== undefined) out[projectionName(path)] = value;
  }
  return out;
}

function valueAt(item: Item, path: PathPart[]): AttributeValue | undefined {
  let current: AttributeValue | undefined = { M: item };
  for (const part of path) {
    if (!current) return undefined;
    if ("name" in part) current = (current["M"] as Item | undefined)?.[part.name];
    else current = (current["L"] as AttributeValue[] | undefined)?.[part.index];
  }
  return current;
}

// --- expressions --------------------------------------------------------------------------

const IS_ATTRIBUTE_TYPES: Record<string, string[]> = {
  null: ["NULL"],
  boolean: ["BOOL"],
  bool: ["BOOL"],
  string: ["S"],
  character: ["S"],
  varchar: ["S"],
  numeric: ["N"],
  number: ["N"],
  int: ["N"],
  int4: ["N"],
  int8: ["N"],
  integer: ["N"],
  decimal: ["N"],
  double: ["N"],
  float: ["N"],
  real: ["N"],
  blob: ["B"],
  binary: ["B"],
  list: ["L"],
  tuple: ["M"],
  struct: ["M"],
  bag: ["SS", "NS", "BS"],
};

/** Writes PartiQL conditions and SET/REMOVE actions as DynamoDB expressions with names and values. */
class ExpressionBuilder {
  private readonly names = new Map<string, string>();
  private readonly values: Item = {};
  private count = 0;

  constructor(private readonly params: AttributeValue[]) {}

  name(attribute: string): string {
    let placeholder = this.names.get(attribute);
    if (!placeholder) {
      placeholder = `#n${String(this.names.size)}`;
      this.names.set(attribute, placeholder);
    }
    return placeholder;
  }

  value(value: AttributeValue): string {
    const placeholder = `:v${String(this.count++)}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  members(): Input {
    return {
      ...(this.names.size > 0
        ? { ExpressionAttributeNames: Object.fromEntries([...this.names].map(([name, p]) => [p, name])) }
        : {}),
      ...(this.count > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }

  path(parts: PathPart[]): string {
    return parts
      .map((part, i) =>
        "name" in part ? `${i === 0 ? "" : "."}${this.name(part.name)}` : `[${String(part.index)}]`,
      )
      .join("");
  }

  /**
   * A PartiQL condition as a condition expression. Parentheses only where precedence needs them
   * (OR below AND below NOT): DynamoDB refuses redundant ones.
   */
  condition(expr: Expr): string {
    return this.part(expr).text;
  }

  /** `prefix AND <expr>`, the expression parenthesised only when it is an OR. */
  andWith(prefix: string, expr: Expr): string {
    return `${prefix} AND ${this.wrapped(expr, 1)}`;
  }

  private wrapped(expr: Expr, level: number): string {
    const part = this.part(expr);
    return part.level < level ? `(${part.text})` : part.text;
  }

  /** The expression's text and its precedence: 0 an OR, 1 an AND, 2 anything tighter. */
  private part(expr: Expr): { text: string; level: number } {
    switch (expr.kind) {
      case "binary":
        if (expr.op === "OR")
          return { text: `${this.wrapped(expr.left, 0)} OR ${this.wrapped(expr.right, 0)}`, level: 0 };
        if (expr.op === "AND")
          return { text: `${this.wrapped(expr.left, 1)} AND ${this.wrapped(expr.right, 1)}`, level: 1 };
        if (expr.op === "+" || expr.op === "-")
          throw new PartiqlError(`Unsupported operator in Condition Expression. Operator: ${expr.op}`);
        if (expr.left.kind === "missing" || expr.right.kind === "missing")
          throw new PartiqlError("MISSING must be compared using IS operator");
        return { text: `${this.operand(expr.left)} ${expr.op} ${this.operand(expr.right)}`, level: 2 };
      case "not":
        return { text: `NOT ${this.wrapped(expr.operand, 2)}`, level: 2 };
      case "between": {
        const test = `${this.operand(expr.value)} BETWEEN ${this.operand(expr.low)} AND ${this.operand(expr.high)}`;
        return { text: expr.negated ? `NOT (${test})` : test, level: 2 };
      }
      case "in": {
        const test = `${this.operand(expr.value)} IN (${expr.options.map((o) => this.operand(o)).join(", ")})`;
        return { text: expr.negated ? `NOT (${test})` : test, level: 2 };
      }
      case "is": {
        if (expr.value.kind !== "path")
          throw new PartiqlError(
            "The left hand side argument to IS must be a Variable Reference, Literal, or Path",
          );
        const path = this.path(expr.value.parts);
        const tests =
          expr.type === "missing"
            ? [`attribute_not_exists(${path})`]
            : (IS_ATTRIBUTE_TYPES[expr.type] ?? []).map(
                (type) => `attribute_type(${path}, ${this.value({ S: type })})`,
              );
        if (tests.length === 0)
          throw new PartiqlError(
            `Unsupported data type for IS operator: ${expr.type.toUpperCase()}. Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]`,
          );
        const test = tests.join(" OR ");
        if (expr.negated) return { text: tests.length > 1 ? `NOT (${test})` : `NOT ${test}`, level: 2 };
        return { text: test, level: tests.length > 1 ? 0 : 2 };
      }
      case "call":
        if (["begins_with", "contains", "attribute_type"].includes(expr.name)) {
          if (expr.args.length !== 2)
            throw new PartiqlError(`Incorrect number of arguments for ${expr.name}`);
          return { text: `${expr.name}(${expr.args.map((a) => this.operand(a)).join(", ")})`, level: 2 };
        }
        if (expr.name === "exists" && expr.args.length === 1 && expr.args[0]?.kind === "path")
          return { text: `attribute_exists(${this.path(expr.args[0].parts)})`, level: 2 };
        if (expr.name === "missing" && expr.args.length === 1 && expr.args[0]?.kind === "path")
          return { text: `attribute_not_exists(${this.path(expr.args[0].parts)})`, level: 2 };
        throw new PartiqlError("WHERE clause must contain an expression that resolves to a boolean");
      default:
        throw new PartiqlError("WHERE clause must contain an expression that resolves to a boolean");
    }
  }

  operand(expr: Expr): string {
    switch (expr.kind) {
      case "path":
        return this.path(expr.parts);
      case "call":
        if (expr.name === "size" && expr.args.length === 1)
          return `size(${this.operand(expr.args[0] as Expr)})`;
        throw new PartiqlError(`Unsupported operator in Condition Expression. Operator: ${expr.name}`);
      case "binary":
        throw new PartiqlError(`Unsupported operator in Condition Expression. Operator: ${expr.op}`);
      default:
        return this.value(constant(expr, this.params));
    }
  }

  /** SET and REMOVE actions as one UpdateExpression (SET_ADD and SET_DELETE as ADD and DELETE). */
  update(actions: Extract<Statement, { kind: "update" }>["actions"]): string {
    const clauses: Record<"SET" | "REMOVE" | "ADD" | "DELETE", string[]> = {
      SET: [],
      REMOVE: [],
      ADD: [],
      DELETE: [],
    };
    for (const action of actions) {
      const target = this.path(action.path);
      if (action.kind === "remove") {
        clauses.REMOVE.push(target);
        continue;
      }
      const value = action.value;
      if (value.kind === "call" && (value.name === "set_add" || value.name === "set_delete")) {
        const which = value.name === "set_add" ? "ADD" : "DELETE";
        if (value.args.length !== 2) throw new PartiqlError(`SET_${which} must have exactly two arguments`);
        const [first, second] = value.args as [Expr, Expr];
        if (first.kind !== "path" || JSON.stringify(first.parts) !== JSON.stringify(action.path))
          throw new PartiqlError(`The first argument to SET_${which} must equal the assignment value`);
        const set =
          second.kind === "bag" || second.kind === "param" ? constant(second, this.params) : undefined;
        if (!set || !["SS", "NS", "BS"].some((t) => set[t] !== undefined))
          throw new PartiqlError(`The second argument to SET_${which} must be a value with type SET`);
        clauses[which].push(`${target} ${this.value(set)}`);
        continue;
      }
      clauses.SET.push(`${target} = ${this.setValue(value)}`);
    }
    return (Object.entries(clauses) as [string, string[]][])
      .filter(([, parts]) => parts.length > 0)
      .map(([clause, parts]) => `${clause} ${parts.join(", ")}`)
      .join(" ");
  }

  private setValue(expr: Expr): string {
    if (expr.kind === "path") return this.path(expr.parts);
    if (expr.kind === "binary" && (expr.op === "+" || expr.op === "-"))
      return `${this.setValue(expr.left)} ${expr.op} ${this.setValue(expr.right)}`;
    if (expr.kind === "call") {
      if (expr.name === "list_append" && expr.args.length === 2)
        return `list_append(${expr.args.map((a) => this.setValue(a)).join(", ")})`;
      throw new PartiqlError(`Unsupported operator in Update Expression. Operator: ${expr.name}`);
    }
    if (
      expr.kind === "binary" ||
      expr.kind === "not" ||
      expr.kind === "in" ||
      expr.kind === "between" ||
      expr.kind === "is"
    )
      throw new PartiqlError("IS operator is not supported in update expressions");
    return this.value(constant(expr, this.params));
  }
}

// --- pages, errors, capacity ----------------------------------------------------------------

function writeToken(position: { query: number; start: Item | undefined }, fingerprint: string): string {
  return Buffer.from(
    JSON.stringify({ f: fingerprint, q: position.query, k: position.start ?? null }),
  ).toString("base64");
}

function readToken(token: string, fingerprint: string): { query: number; start: Item | undefined } {
  let decoded: { f?: unknown; q?: unknown; k?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as typeof decoded;
  } catch {
    throw dynamoErrors.validation("Invalid NextToken");
  }
  if (typeof decoded !== "object" || decoded === null || typeof decoded.q !== "number")
    throw dynamoErrors.validation("Invalid NextToken");
  if (decoded.f !== fingerprint) throw dynamoErrors.validation("NextToken does not match request");
  return { query: decoded.q, start: (decoded.k as Item | null) ?? undefined };
}

/** A PartiQL refusal as a ValidationException. */
function refusing<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof PartiqlError) throw dynamoErrors.validation(error.message);
    throw error;
  }
}

function asServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (error instanceof PartiqlError) return dynamoErrors.validation(error.message);
  return dynamoErrors.internal(error instanceof Error ? error.message : String(error));
}

/** A transaction names the statement a validation error comes from. */
function inStatement<T>(index: number, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw transactionError(index, error);
  }
}

async function inStatementAsync<T>(index: number, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw transactionError(index, error);
  }
}

function transactionError(index: number, error: unknown): unknown {
  const failure = error instanceof PartiqlError ? dynamoErrors.validation(error.message) : error;
  if (failure instanceof ServiceError && failure.code === "ValidationException")
    return dynamoErrors.validation(
      `Validation failed in TransactStatements[${String(index)}]: ${failure.message}`,
    );
  return failure;
}

const BATCH_CODES: Record<string, string> = {
  ConditionalCheckFailedException: "ConditionalCheckFailed",
  DuplicateItemException: "DuplicateItem",
  ValidationException: "ValidationError",
  ResourceNotFoundException: "ResourceNotFound",
  ItemCollectionSizeLimitExceededException: "ItemCollectionSizeLimitExceeded",
  ProvisionedThroughputExceededException: "ProvisionedThroughputExceeded",
  TransactionConflictException: "TransactionConflict",
  RequestLimitExceeded: "RequestLimitExceeded",
  ThrottlingException: "ThrottlingError",
  AccessDeniedException: "AccessDenied",
};

function batchError(error: ServiceError): Output {
  const item = error.extra["Item"];
  return {
    Code: BATCH_CODES[error.code] ?? "InternalServerError",
    Message: error.message,
    ...(item ? { Item: item } : {}),
  };
}

function addCapacity(totals: Map<string, number>, consumed: unknown): void {
  const entry = consumed as { TableName?: string; CapacityUnits?: number } | undefined;
  if (!entry?.TableName) return;
  totals.set(entry.TableName, (totals.get(entry.TableName) ?? 0) + Number(entry.CapacityUnits ?? 0));
}

function capacityList(totals: Map<string, number>, capacity: string | undefined): Output {
  if (!capacity || capacity === "NONE") return {};
  return {
    ConsumedCapacity: [...totals].map(([TableName, CapacityUnits]) => ({ TableName, CapacityUnits })),
  };
}
