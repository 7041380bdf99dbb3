import { CreateTableCommand, DescribeTableCommand, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Client } from "@opensearch-project/opensearch";
import type { Stack } from "../../pipeline/stack/types.js";
import { OperatorError } from "../config/errors.js";

/** The table the run writes to does not exist on the target. */
export class TableMissingError extends OperatorError {
  override name = "TableMissingError";
}

export async function tableExists(dynamodb: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === "ResourceNotFoundException") return false;
    throw error;
  }
}

export async function requireTable(dynamodb: DynamoDBClient, stack: Stack, target: string): Promise<void> {
  if (await tableExists(dynamodb, stack.table.name)) return;
  throw new TableMissingError(
    `table ${stack.table.name} does not exist on target ${target}; scrape first ` +
      "(`pipeline run --stage scrape` creates it as the stack declares it) or run `pipeline deploy`",
  );
}

/** Creates the table as the stack declares it and waits until it is ACTIVE; false if it existed. */
export async function createTableIfMissing(
  dynamodb: DynamoDBClient,
  stack: Stack,
  maxWaitSeconds = 120,
): Promise<boolean> {
  if (await tableExists(dynamodb, stack.table.name)) return false;
  try {
    await dynamodb.send(new CreateTableCommand(stack.table.definition));
  } catch (error) {
    if (!(error instanceof Error && error.name === "ResourceInUseException")) throw error;
  }
  await waitUntilTableExists(
    { client: dynamodb, maxWaitTime: maxWaitSeconds, minDelay: 1, maxDelay: 2 },
    { TableName: stack.table.name },
  );
  return true;
}

/** Creates the OpenSearch index with the declared settings and mappings; false if it existed. */
export async function createIndexIfMissing(client: Client, stack: Stack): Promise<boolean> {
  const exists = await client.indices.exists({ index: stack.index.name });
  if (exists.body === true) return false;
  try {
    // The declaration keeps mappings as plain JSON (the stack imports no OpenSearch types).
    type CreateBody = NonNullable<Parameters<Client["indices"]["create"]>[0]["body"]>;
    await client.indices.create({ index: stack.index.name, body: stack.index.body as CreateBody });
  } catch (error) {
    const type = (error as { body?: { error?: { type?: string } } }).body?.error?.type;
    if (type !== "resource_already_exists_exception") throw error;
    return false;
  }
  return true;
}
