import {
  BatchWriteItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import {
  KEY_ATTRIBUTES,
  KEY_PREFIX,
  ROSTER_SORT_KEY,
  celebrityIdOf,
  rosterEntryOfItem,
  rosterKey,
  rosterRecordOf,
} from "../../pipeline/model/index.js";
import type { RosterEntry } from "../../pipeline/model/index.js";
import { scanRoster } from "../../pipeline/stages/roster-table.js";

/**
 * The roster's side of the table, for the CLI: everything it needs to plan an import in one scan
 * (the roster records, and whose Bluesky handle every scraped item carries), batched writes that
 * retry what DynamoDB leaves unprocessed, and a person's items for `remove --purge`.
 */

export interface RosterState {
  byId: Map<string, RosterEntry>;
  /** Handle -> the celebrity ids whose roster record or scraped items carry it (GSI2's view). */
  handleOwners: Map<string, Set<string>>;
  /** Roster-keyed items without a required field (not followed; `roster list` says how many). */
  invalid: number;
}

const PROJECTED = [
  KEY_ATTRIBUTES.pk,
  KEY_ATTRIBUTES.sk,
  KEY_ATTRIBUTES.gsi2pk,
  "id",
  "name",
  "category",
  "country",
  "city",
  "tmdbId",
  "wikipediaTitle",
  "handle",
  "newsQuery",
  "active",
  "addedAt",
  "updatedAt",
];

/**
 * One scan of the table (only the attributes above, so it stays small), in parallel segments:
 * the roster records and every GSI2 handle with its owner. One scan instead of a GSI2 query per
 * imported handle keeps a 100,000-row import to seconds of reads.
 */
export async function readRosterState(
  client: DynamoDBClient,
  tableName: string,
  segments = 4,
): Promise<RosterState> {
  const state: RosterState = { byId: new Map(), handleOwners: new Map(), invalid: 0 };
  const names = Object.fromEntries(PROJECTED.map((name, i) => [`#p${i}`, name]));
  const own = (handleKey: string, id: string) => {
    const handle = handleKey.slice(KEY_PREFIX.social.length);
    let owners = state.handleOwners.get(handle);
    if (owners === undefined) state.handleOwners.set(handle, (owners = new Set()));
    owners.add(id);
  };
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: tableName,
            Segment: segment,
            TotalSegments: segments,
            ProjectionExpression: Object.keys(names).join(", "),
            ExpressionAttributeNames: names,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const raw of page.Items ?? []) {
          const item = unmarshall(raw);
          const pk = String(item[KEY_ATTRIBUTES.pk] ?? "");
          const gsi2pk = item[KEY_ATTRIBUTES.gsi2pk];
          if (pk.startsWith(KEY_PREFIX.roster)) {
            const entry = rosterEntryOfItem(item);
            if (entry === undefined) state.invalid += 1;
            else {
              state.byId.set(entry.id, entry);
              if (entry.handle !== undefined) own(`${KEY_PREFIX.social}${entry.handle}`, entry.id);
            }
          } else if (typeof gsi2pk === "string") {
            const id = celebrityIdOf(pk);
            if (id !== undefined) own(gsi2pk, id);
          }
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    }),
  );
  return state;
}

/** The roster records only (what `list`, `export` and the scrapers read). */
export async function readRoster(client: DynamoDBClient, tableName: string) {
  return scanRoster(client, tableName);
}

export interface BatchWriterOptions {
  /** Batches in flight at once. */
  concurrency?: number;
  /** Attempts per batch for what DynamoDB leaves unprocessed (throttling). */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  onWritten?: (count: number) => void;
}

const BATCH = 25;

/**
 * BatchWriteItem in batches of 25 (the API's limit), a few in flight, retrying UnprocessedItems
 * with exponential backoff as DynamoDB asks; fails naming how many writes were left after the
 * last attempt, so nothing is silently dropped.
 */
export class BatchWriter {
  private pending: WriteRequest[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: Error | undefined;
  written = 0;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: BatchWriterOptions = {},
  ) {}

  async put(entry: RosterEntry): Promise<void> {
    await this.add({
      PutRequest: { Item: marshall(rosterRecordOf(entry), { removeUndefinedValues: true }) },
    });
  }

  async delete(key: { pk: string; sk: string }): Promise<void> {
    await this.add({ DeleteRequest: { Key: marshall(key) } });
  }

  private async add(request: WriteRequest): Promise<void> {
    if (this.failure) throw this.failure;
    this.pending.push(request);
    if (this.pending.length >= BATCH) await this.launch();
  }

  private async launch(): Promise<void> {
    const batch = this.pending.splice(0, BATCH);
    if (batch.length === 0) return;
    const task = this.send(batch)
      .catch((error: unknown) => {
        this.failure ??= error as Error;
      })
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
    while (this.inFlight.size >= (this.options.concurrency ?? 4)) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  private async send(batch: WriteRequest[]): Promise<void> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((done) => setTimeout(done, ms)));
    const maxAttempts = this.options.maxAttempts ?? 8;
    let requests = batch;
    for (let attempt = 1; ; attempt += 1) {
      const answer = await this.client.send(
        new BatchWriteItemCommand({ RequestItems: { [this.tableName]: requests } }),
      );
      const left = answer.UnprocessedItems?.[this.tableName] ?? [];
      const done = requests.length - left.length;
      this.written += done;
      if (done > 0) this.options.onWritten?.(this.written);
      if (left.length === 0) return;
      if (attempt >= maxAttempts) {
        throw new Error(
          `DynamoDB left ${left.length} roster write(s) unprocessed after ${maxAttempts} attempts (throttled); run the import again: it writes only what is still missing`,
        );
      }
      requests = left;
      await sleep(Math.min(5_000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }

  /** Sends what is left and waits for every batch. */
  async flush(): Promise<void> {
    while (this.pending.length > 0) await this.launch();
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }
}

/** The keys of every item of a person (their scraped items), for `remove --purge`. */
export async function itemKeysOf(
  client: DynamoDBClient,
  tableName: string,
  celebrityId: string,
): Promise<{ pk: string; sk: string }[]> {
  const keys: { pk: string; sk: string }[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "#pk = :pk",
        ProjectionExpression: "#pk, #sk",
        ExpressionAttributeNames: { "#pk": KEY_ATTRIBUTES.pk, "#sk": KEY_ATTRIBUTES.sk },
        ExpressionAttributeValues: { ":pk": { S: `${KEY_PREFIX.celebrity}${celebrityId}` } },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const raw of page.Items ?? []) {
      const item = unmarshall(raw);
      keys.push({ pk: String(item[KEY_ATTRIBUTES.pk]), sk: String(item[KEY_ATTRIBUTES.sk]) });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return keys;
}

/** The full items of a person, for `roster show`. */
export async function itemsOf(
  client: DynamoDBClient,
  tableName: string,
  celebrityId: string,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": KEY_ATTRIBUTES.pk },
        ExpressionAttributeValues: { ":pk": { S: `${KEY_PREFIX.celebrity}${celebrityId}` } },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const raw of page.Items ?? []) out.push(unmarshall(raw));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return out;
}

export { ROSTER_SORT_KEY, rosterKey };
