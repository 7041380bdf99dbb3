import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * DynamoDB Time to Live, written from AWS's API reference (UpdateTimeToLive, DescribeTimeToLive,
 * streams Identity) and AWS's observed answers: the request is validated before the table is looked
 * up; enabling twice, disabling twice and a second attribute are refused, then a second change within
 * the hour; DescribeTimeToLive settles at once. Expired items (a Number attribute in epoch seconds
 * below the current time) are deleted in the background within one pass of the emulator clock, each
 * deletion a REMOVE stream record whose userIdentity is {Type: Service, PrincipalId:
 * dynamodb.amazonaws.com}; other items, and user deletes, are not marked.
 */
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const SWEEP_MS = 1_000;
const HOUR = 60 * 60 * 1000;

async function failure(send: Promise<unknown>): Promise<DynamoDBServiceException> {
  try {
    await send;
  } catch (error) {
    expect(error).toBeInstanceOf(DynamoDBServiceException);
    return error as DynamoDBServiceException;
  }
  throw new Error("expected the call to fail");
}

describe("dynamodb TTL (SDK v3)", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let ddb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;

  const createTable = (name: string, stream = false) =>
    ddb.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
        ...(stream
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } }
          : {}),
      }),
    );
  const update = (TableName: string, Enabled: boolean, AttributeName = "expiresAt") =>
    ddb.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { Enabled, AttributeName } }));
  const describeTtl = async (TableName: string) =>
    (await ddb.send(new DescribeTimeToLiveCommand({ TableName }))).TimeToLiveDescription;

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 0));
    emulator = await createEmulator({
      services: ["dynamodb", "dynamodbstreams"],
      clock,
      settings: { ttlSweepIntervalMs: SWEEP_MS },
    });
    const config = { endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 };
    ddb = new DynamoDBClient(config);
    streams = new DynamoDBStreamsClient(config);
  });
  afterAll(async () => {
    ddb.destroy();
    streams.destroy();
    await emulator.stop();
  });

  describe("UpdateTimeToLive and DescribeTimeToLive", () => {
    it("the specification is validated, member by member, before the table is looked up", async () => {
      const noSpec = await failure(
        ddb.send(new UpdateTimeToLiveCommand({ TableName: "no-such-table" } as never)),
      );
      expect(noSpec.name).toBe("ValidationException");
      expect(noSpec.message).toBe(
        "1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null",
      );
      const noEnabled = await failure(
        ddb.send(
          new UpdateTimeToLiveCommand({
            TableName: "no-such-table",
            TimeToLiveSpecification: { AttributeName: "expiresAt" } as never,
          }),
        ),
      );
      expect(noEnabled.message).toBe(
        "1 validation error detected: Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null",
      );
      const empty = await failure(update("no-such-table", true, ""));
      expect(empty.message).toBe(
        "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
      const long = await failure(update("no-such-table", true, "a".repeat(256)));
      expect(long.message).toContain("Member must have length less than or equal to 255");
    });

    it("a missing table is ResourceNotFoundException, for both operations", async () => {
      await expect(update("no-such-table", true)).rejects.toBeInstanceOf(ResourceNotFoundException);
      await expect(describeTtl("no-such-table")).rejects.toBeInstanceOf(ResourceNotFoundException);
    });

    it("a table starts DISABLED with no attribute; disabling it again is refused", async () => {
      await createTable("ttl-fresh");
      expect(await describeTtl("ttl-fresh")).toEqual({ TimeToLiveStatus: "DISABLED" });
      const again = await failure(update("ttl-fresh", false));
      expect(again.name).toBe("ValidationException");
      expect(again.message).toBe("TimeToLive is already disabled");
    });

    it("enable echoes the specification and settles ENABLED; repeats, other attributes and a second change within the hour are refused", async () => {
      await createTable("ttl-cycle");
      const enabled = await update("ttl-cycle", true);
      expect(enabled.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: "expiresAt" });
      expect(await describeTtl("ttl-cycle")).toEqual({
        TimeToLiveStatus: "ENABLED",
        AttributeName: "expiresAt",
      });

      expect((await failure(update("ttl-cycle", true))).message).toBe("TimeToLive is already enabled");
      expect((await failure(update("ttl-cycle", true, "other"))).message).toBe(
        "TimeToLive is active on a different AttributeName: current AttributeName is expiresAt",
      );
      expect((await failure(update("ttl-cycle", false, "other"))).message).toBe(
        "TimeToLive is active on a different AttributeName: current AttributeName is expiresAt",
      );
      expect((await failure(update("ttl-cycle", false))).message).toBe(
        "Time to live has been modified multiple times within a fixed interval",
      );
      expect(await describeTtl("ttl-cycle")).toEqual({
        TimeToLiveStatus: "ENABLED",
        AttributeName: "expiresAt",
      });

      await clock.advance(HOUR);
      const disabled = await update("ttl-cycle", false);
      expect(disabled.TimeToLiveSpecification).toEqual({ Enabled: false, AttributeName: "expiresAt" });
      expect(await describeTtl("ttl-cycle")).toEqual({ TimeToLiveStatus: "DISABLED" });
      const table = await ddb.send(new DescribeTableCommand({ TableName: "ttl-cycle" }));
      expect(Object.keys(table.Table ?? {}).filter((member) => member.startsWith("Emulator"))).toEqual([]);
    });
  });

  describe("expiry", () => {
    it("deletes expired items within one pass, each a REMOVE stream record by the DynamoDB service", async () => {
      const created = await createTable("ttl-expiry", true);
      const streamArn = created.TableDescription!.LatestStreamArn!;
      const now = Math.floor(clock.now() / 1000);
      const items: Record<string, AttributeValue | undefined> = {
        expired: N(now - 10),
        future: N(now + 3600),
        text: S(String(now - 10)),
        none: undefined,
        ancient: N(now - 6 * 365 * 24 * 3600),
      };
      for (const [pk, expiresAt] of Object.entries(items))
        await ddb.send(
          new PutItemCommand({
            TableName: "ttl-expiry",
            Item: { pk: S(pk), ...(expiresAt ? { expiresAt } : {}) },
          }),
        );
      await ddb.send(new PutItemCommand({ TableName: "ttl-expiry", Item: { pk: S("user-deleted") } }));
      await ddb.send(new DeleteItemCommand({ TableName: "ttl-expiry", Key: { pk: S("user-deleted") } }));
      await update("ttl-expiry", true);

      // Still readable until the deletion process comes by, as AWS documents.
      const before = await ddb.send(
        new GetItemCommand({ TableName: "ttl-expiry", Key: { pk: S("expired") } }),
      );
      expect(before.Item).toBeDefined();

      await clock.advance(SWEEP_MS);
      await vi.waitFor(async () => {
        const after = await ddb.send(
          new GetItemCommand({ TableName: "ttl-expiry", Key: { pk: S("expired") } }),
        );
        expect(after.Item).toBeUndefined();
      });
      for (const pk of ["future", "text", "none", "ancient"]) {
        const kept = await ddb.send(new GetItemCommand({ TableName: "ttl-expiry", Key: { pk: S(pk) } }));
        expect(kept.Item, pk).toBeDefined();
      }

      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: StreamDescription!.Shards![0]!.ShardId!,
          ShardIteratorType: "TRIM_HORIZON",
        }),
      );
      const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator }));
      const removes = (Records ?? []).filter((r) => r.eventName === "REMOVE");
      expect(removes).toHaveLength(2);
      const byTtl = removes.find((r) => r.dynamodb?.Keys?.["pk"]?.S === "expired");
      expect(byTtl?.userIdentity).toEqual({ Type: "Service", PrincipalId: "dynamodb.amazonaws.com" });
      expect(byTtl?.dynamodb?.OldImage?.["expiresAt"]).toEqual(items["expired"]);
      const byUser = removes.find((r) => r.dynamodb?.Keys?.["pk"]?.S === "user-deleted");
      expect(byUser?.userIdentity).toBeUndefined();
    });

    it("an item rewritten with a later expiry before the pass is kept; a table with TTL disabled is left alone", async () => {
      await createTable("ttl-renewed");
      await createTable("ttl-off");
      const now = Math.floor(clock.now() / 1000);
      await ddb.send(
        new PutItemCommand({ TableName: "ttl-renewed", Item: { pk: S("r"), expiresAt: N(now - 1) } }),
      );
      await ddb.send(
        new PutItemCommand({ TableName: "ttl-renewed", Item: { pk: S("gone"), expiresAt: N(now - 1) } }),
      );
      await ddb.send(
        new PutItemCommand({ TableName: "ttl-off", Item: { pk: S("stays"), expiresAt: N(now - 1) } }),
      );
      await update("ttl-renewed", true);
      await ddb.send(
        new PutItemCommand({ TableName: "ttl-renewed", Item: { pk: S("r"), expiresAt: N(now + 60) } }),
      );

      await clock.advance(SWEEP_MS);
      await vi.waitFor(async () => {
        const gone = await ddb.send(new GetItemCommand({ TableName: "ttl-renewed", Key: { pk: S("gone") } }));
        expect(gone.Item).toBeUndefined();
      });
      const renewed = await ddb.send(new GetItemCommand({ TableName: "ttl-renewed", Key: { pk: S("r") } }));
      expect(renewed.Item?.["expiresAt"]).toEqual(N(now + 60));
      const off = await ddb.send(new GetItemCommand({ TableName: "ttl-off", Key: { pk: S("stays") } }));
      expect(off.Item).toBeDefined();

      // Once its time has come, the renewed item goes too.
      await clock.advance(61_000);
      await vi.waitFor(async () => {
        const later = await ddb.send(new GetItemCommand({ TableName: "ttl-renewed", Key: { pk: S("r") } }));
        expect(later.Item).toBeUndefined();
      });
    });
  });

  it("the TTL setting survives a restart with a state folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ttl-persist-"));
    try {
      const first = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], persistDir: dir });
      const client = new DynamoDBClient({ endpoint: first.url, region: "us-east-1", credentials });
      await client.send(
        new CreateTableCommand({
          TableName: "kept",
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: "kept",
          TimeToLiveSpecification: { Enabled: true, AttributeName: "ttl" },
        }),
      );
      client.destroy();
      await first.stop();
      const second = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], persistDir: dir });
      const again = new DynamoDBClient({ endpoint: second.url, region: "us-east-1", credentials });
      const described = await again.send(new DescribeTimeToLiveCommand({ TableName: "kept" }));
      expect(described.TimeToLiveDescription).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: "ttl" });
      again.destroy();
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!awsCliAvailable)("dynamodb TTL through the AWS CLI", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
    await awsCliJson(emulator.url, [
      "dynamodb",
      "create-table",
      "--table-name",
      "cli-ttl",
      "--attribute-definitions",
      "AttributeName=pk,AttributeType=S",
      "--key-schema",
      "AttributeName=pk,KeyType=HASH",
      "--billing-mode",
      "PAY_PER_REQUEST",
    ]);
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("update-time-to-live and describe-time-to-live, and the refusals", async () => {
    const missing = await awsCli(emulator.url, [
      "dynamodb",
      "update-time-to-live",
      "--table-name",
      "no-such-table",
      "--time-to-live-specification",
      "Enabled=true,AttributeName=ttl",
    ]);
    expect(missing.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(missing.stderr).toContain(
      "(ResourceNotFoundException) when calling the UpdateTimeToLive operation",
    );
    const disabled = await awsCli(emulator.url, [
      "dynamodb",
      "update-time-to-live",
      "--table-name",
      "cli-ttl",
      "--time-to-live-specification",
      "Enabled=false,AttributeName=ttl",
    ]);
    expect(disabled.stderr).toContain(
      "(ValidationException) when calling the UpdateTimeToLive operation: TimeToLive is already disabled",
    );
    const enabled = await awsCliJson<{ TimeToLiveSpecification: unknown }>(emulator.url, [
      "dynamodb",
      "update-time-to-live",
      "--table-name",
      "cli-ttl",
      "--time-to-live-specification",
      "Enabled=true,AttributeName=ttl",
    ]);
    expect(enabled.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: "ttl" });
    const described = await awsCliJson<{ TimeToLiveDescription: unknown }>(emulator.url, [
      "dynamodb",
      "describe-time-to-live",
      "--table-name",
      "cli-ttl",
    ]);
    expect(described.TimeToLiveDescription).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: "ttl" });
  });
});
