import { FilterLogEventsCommand, type FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { KEY_PREFIX, documentId } from "../../pipeline/model/keys.js";
import { createOpenSearchClient } from "../../pipeline/stages/index-sync-opensearch.js";
import type { Stack } from "../../pipeline/stack/index.js";
import type { AwsClients } from "../aws/index.js";

/**
 * What verify reads from the stack, each through the API an operator would use. Counts follow
 * LastEvaluatedKey across every scan page (a COUNT scan with a filter counts one 1 MB page), and
 * attribute names always go through ExpressionAttributeNames (TIMESTAMP is a reserved word).
 */

export interface Filter {
  expression: string;
  names: Record<string, string>;
  values?: Record<string, AttributeValue>;
}

const CELEBRITY: Filter = {
  expression: "begins_with(#pk, :celeb)",
  names: { "#pk": "pk" },
  values: { ":celeb": { S: KEY_PREFIX.celebrity } },
};

/** Filters over celebrity items: scraped ones, enriched ones, incomplete ones. */
export const FILTERS = {
  scraped: and(CELEBRITY, { expression: "attribute_exists(#ts)", names: { "#ts": "timestamp" } }),
  enriched: and(CELEBRITY, {
    expression: "attribute_exists(#weight) AND attribute_exists(#sentiment)",
    names: { "#weight": "weight", "#sentiment": "sentiment" },
  }),
  incomplete: and(CELEBRITY, {
    expression: "(attribute_not_exists(#weight) OR attribute_not_exists(#sentiment))",
    names: { "#weight": "weight", "#sentiment": "sentiment" },
  }),
} as const;

function and(a: Filter, b: Filter): Filter {
  return {
    expression: `${a.expression} AND ${b.expression}`,
    names: { ...a.names, ...b.names },
    values: { ...a.values, ...b.values },
  };
}

/** Items matching the filter, counted over every page. */
export async function countItems(clients: AwsClients, table: string, filter: Filter): Promise<number> {
  const ddb = await clients.dynamodb();
  let count = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: table,
        Select: "COUNT",
        FilterExpression: filter.expression,
        ExpressionAttributeNames: filter.names,
        ...(filter.values ? { ExpressionAttributeValues: filter.values } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/**
 * Scraped celebrity items and how many of them carry weight and sentiment, from one scan (the
 * enrichment wait polls this: one pass over the table instead of one per count).
 */
export async function countEnrichment(
  clients: AwsClients,
  table: string,
): Promise<{ entries: number; enriched: number }> {
  // The key too: an item with neither attribute must still come back (as its key) to be counted.
  const items = await scanItems(clients, table, FILTERS.scraped, ["pk", "weight", "sentiment"]);
  const enriched = items.filter((item) => item["weight"] !== undefined && item["sentiment"] !== undefined);
  return { entries: items.length, enriched: enriched.length };
}

/** Items matching the filter, every page, with the named attributes only. */
export async function scanItems(
  clients: AwsClients,
  table: string,
  filter: Filter,
  attributes: string[],
): Promise<Record<string, unknown>[]> {
  const ddb = await clients.dynamodb();
  const names = { ...filter.names };
  const projection = attributes.map((attribute, i) => {
    names[`#p${i}`] = attribute;
    return `#p${i}`;
  });
  const items: Record<string, unknown>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: filter.expression,
        ProjectionExpression: projection.join(", "),
        ExpressionAttributeNames: names,
        ...(filter.values ? { ExpressionAttributeValues: filter.values } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) items.push(unmarshall(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Log events of one group (FilterLogEvents takes one group per call) since a time, every page. */
export async function filterLog(
  clients: AwsClients,
  logGroupName: string,
  options: { since: number; pattern?: string; limit?: number },
): Promise<FilteredLogEvent[]> {
  const logs = await clients.logs();
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await logs.send(
        new FilterLogEventsCommand({
          logGroupName,
          startTime: options.since,
          ...(options.pattern ? { filterPattern: options.pattern } : {}),
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
      if (options.limit !== undefined && events.length >= options.limit) break;
    } while (nextToken);
  } catch (error) {
    // A function that never ran has no log group yet: no events, not an error.
    if ((error as Error).name === "ResourceNotFoundException") return [];
    throw error;
  }
  return events;
}

/** Messages in a queue, visible and in flight. */
export async function queueDepth(clients: AwsClients, queueName: string): Promise<number> {
  const sqs = await clients.sqs();
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** The stack's OpenSearch index, read as index-sync writes it (SigV4 on AWS endpoints). */
export interface SearchIndex {
  count(): Promise<number>;
  has(key: { pk: string; sk: string }): Promise<boolean>;
  remove(key: { pk: string; sk: string }): Promise<void>;
  ids(max: number): Promise<string[]>;
  /** Up to `max` documents: id and the named source fields (reconciliation by content). */
  documents(max: number, fields: readonly string[]): Promise<Map<string, Record<string, unknown>>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function openIndex(stack: Stack): SearchIndex {
  const client = createOpenSearchClient(stack.index.endpoint, { region: stack.params.region });
  const index = stack.index.name;
  const refresh = async () => {
    await client.indices.refresh({ index }).catch((error: unknown) => {
      if (statusOf(error) !== 404) throw error;
    });
  };
  return {
    async count() {
      await refresh();
      try {
        const response = await client.count({ index });
        return Number((response.body as { count?: number }).count ?? 0);
      } catch (error) {
        if (statusOf(error) === 404) return 0;
        throw error;
      }
    },
    async has(key) {
      try {
        const response = await client.get({ index, id: documentId(key) });
        return (response.body as { found?: boolean }).found === true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw error;
      }
    },
    async remove(key) {
      await client.delete({ index, id: documentId(key) }).catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
    },
    async ids(max) {
      await refresh();
      try {
        const response = await client.search({
          index,
          body: { size: max, _source: false, query: { match_all: {} } },
        });
        const hits = (response.body as { hits?: { hits?: { _id?: string }[] } }).hits?.hits ?? [];
        return hits.map((hit) => hit._id ?? "");
      } catch (error) {
        if (statusOf(error) === 404) return [];
        throw error;
      }
    },
    async documents(max, fields) {
      await refresh();
      try {
        const response = await client.search({
          index,
          body: { size: max, _source: { includes: [...fields] }, query: { match_all: {} } },
        });
        const hits =
          (response.body as { hits?: { hits?: { _id?: string; _source?: Record<string, unknown> }[] } }).hits
            ?.hits ?? [];
        return new Map(hits.map((hit) => [hit._id ?? "", hit._source ?? {}]));
      } catch (error) {
        if (statusOf(error) === 404) return new Map();
        throw error;
      }
    },
    async ping() {
      await client.info();
    },
    close: () => client.close(),
  };
}

function statusOf(error: unknown): number | undefined {
  const meta = (error as { meta?: { statusCode?: number } }).meta;
  return meta?.statusCode;
}
