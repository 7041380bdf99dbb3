import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { ENRICHMENT_ATTRIBUTES, KEY_ATTRIBUTES } from "../model/index.js";
import type { CelebrityItem } from "../model/index.js";
import { VERSION_ATTRIBUTE, versionBump } from "../model/version.js";
import type { ScrapeTable } from "./scrape.js";

/**
 * The UpdateItem that replaces a celebrity item's content as a put would (every attribute SET,
 * the enrichment REMOVEd: it belongs to the old content) and bumps its version in the same write
 * (model/version.ts). An UpdateItem, not a PutItem, because only an update expression can count
 * the version atomically. Every attribute goes through ExpressionAttributeNames (reserved words).
 */
export function replaceItemUpdate(item: CelebrityItem): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
} {
  const keys = new Set<string>([KEY_ATTRIBUTES.pk, KEY_ATTRIBUTES.sk, VERSION_ATTRIBUTE]);
  const fields = Object.entries(item).filter(([name, value]) => !keys.has(name) && value !== undefined);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = fields.map(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    return `#a${i} = :a${i}`;
  });
  const removed = ENRICHMENT_ATTRIBUTES.filter((name) => item[name] === undefined).map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  const bump = versionBump(item.timestamp);
  return {
    UpdateExpression: `SET ${[...sets, bump.clause].join(", ")}${removed.length > 0 ? ` REMOVE ${removed.join(", ")}` : ""}`,
    ExpressionAttributeNames: { ...names, ...bump.names },
    ExpressionAttributeValues: { ...values, ...bump.values },
  };
}

/**
 * The DynamoDB side of a scraper. An item is written only if it is new or its content hash
 * differs: a refused condition writes nothing, so an unchanged re-run emits no stream records and
 * leaves the post-processor's enrichment (and the version) in place.
 */
export function dynamoScrapeTable(client: DynamoDBClient, tableName: string): ScrapeTable {
  return {
    async putIfChanged(item: CelebrityItem) {
      const update = replaceItemUpdate(item);
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: marshall({ pk: item.pk, sk: item.sk }),
            UpdateExpression: update.UpdateExpression,
            ConditionExpression: "attribute_not_exists(#pk) OR #contentHash <> :contentHash",
            ExpressionAttributeNames: {
              ...update.ExpressionAttributeNames,
              "#pk": "pk",
              "#contentHash": "contentHash",
            },
            ExpressionAttributeValues: marshall(
              { ...update.ExpressionAttributeValues, ":contentHash": item.contentHash },
              { removeUndefinedValues: true },
            ),
          }),
        );
        return "written";
      } catch (error) {
        // By name, not instanceof: a bundle may hold its own copy of the SDK's error classes.
        if ((error as { name?: unknown }).name === "ConditionalCheckFailedException") return "unchanged";
        throw error;
      }
    },
  };
}
