import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/**
 * A real DynamoDB API (dynalite, in memory) on 127.0.0.1 and a free port, for integration tests
 * that need real PutItem/UpdateItem/condition semantics. dynalite has no Streams: tests build
 * stream records from the images they read back. Loaded through require with a local type, so the
 * helper adds no ambient module declaration next to the emulator's.
 */
type DynaliteFactory = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

const dynalite = createRequire(import.meta.url)("dynalite") as DynaliteFactory;

export interface DynaliteHandle {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<DynaliteHandle> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/**
 * Creates a table from a CreateTable input (the stack's declaration) and waits until ACTIVE.
 * dynalite does not implement Streams, so StreamSpecification is dropped for it.
 */
export async function createTable(
  client: DynamoDBClient,
  definition: CreateTableCommandInput,
): Promise<void> {
  const { StreamSpecification: _stream, ...withoutStream } = definition;
  await client.send(new CreateTableCommand(withoutStream));
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: definition.TableName }));
    if (Table?.TableStatus === "ACTIVE") return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`table ${definition.TableName} did not become ACTIVE`);
}
