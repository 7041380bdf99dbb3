import { ScanCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { KEY_ATTRIBUTES, KEY_PREFIX, ROSTER_SORT_KEY, rosterEntryOfItem } from "../model/index.js";
import type { RosterEntry } from "../model/index.js";

/**
 * Reads the roster records out of the table. A Scan, filtered on the ROSTER# partition prefix:
 * the records share the table with the scraped items, so the scan reads those too (about five
 * items per person; at 10,000 people a few tens of MB, a few seconds). Parallel segments keep that
 * short, and every page is followed (a Scan page stops at 1 MB, filter or not).
 */

export interface RosterScan {
  entries: RosterEntry[];
  /** Roster-keyed items that lack a required field (written by hand, say); not followed. */
  invalid: number;
}

export const ROSTER_SCAN_SEGMENTS = 4;

async function scanSegment(
  client: DynamoDBClient,
  tableName: string,
  segment: number,
  totalSegments: number,
  out: RosterScan,
): Promise<void> {
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        Segment: segment,
        TotalSegments: totalSegments,
        FilterExpression: "begins_with(#pk, :roster) AND #sk = :profile",
        ExpressionAttributeNames: { "#pk": KEY_ATTRIBUTES.pk, "#sk": KEY_ATTRIBUTES.sk },
        ExpressionAttributeValues: {
          ":roster": { S: KEY_PREFIX.roster },
          ":profile": { S: ROSTER_SORT_KEY },
        },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const raw of page.Items ?? []) {
      const entry = rosterEntryOfItem(unmarshall(raw));
      if (entry === undefined) out.invalid += 1;
      else out.entries.push(entry);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
}

/** Every roster record (active or not), in id order. */
export async function scanRoster(
  client: DynamoDBClient,
  tableName: string,
  totalSegments = ROSTER_SCAN_SEGMENTS,
): Promise<RosterScan> {
  const out: RosterScan = { entries: [], invalid: 0 };
  await Promise.all(
    Array.from({ length: totalSegments }, (_, segment) =>
      scanSegment(client, tableName, segment, totalSegments, out),
    ),
  );
  out.entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

/** The people a run follows: the active entries, in id order. */
export async function activeRoster(client: DynamoDBClient, tableName: string): Promise<RosterEntry[]> {
  return (await scanRoster(client, tableName)).entries.filter((entry) => entry.active);
}
