import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { CelebrityItem } from "../model/index.js";
import type { ScrapeRunRecord, ScrapeTable } from "./scrape.js";

/**
 * The DynamoDB side of a scraper. An item is put only if it is new or its content hash differs:
 * a refused condition writes nothing, so an unchanged re-run emits no stream records and leaves
 * the post-processor's enrichment in place. `pk` and `contentHash` go through
 * ExpressionAttributeNames like every attribute in this project's expressions (reserved words).
 */
export function dynamoScrapeTable(client: DynamoDBClient, tableName: string): ScrapeTable {
  return {
    async putIfChanged(item: CelebrityItem) {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: marshall(item, { removeUndefinedValues: true }),
            ConditionExpression: "attribute_not_exists(#pk) OR #contentHash <> :contentHash",
            ExpressionAttributeNames: { "#pk": "pk", "#contentHash": "contentHash" },
            ExpressionAttributeValues: marshall({ ":contentHash": item.contentHash }),
          }),
        );
        return "written";
      } catch (error) {
        // By name, not instanceof: a bundle may hold its own copy of the SDK's error classes.
        if ((error as { name?: unknown }).name === "ConditionalCheckFailedException") return "unchanged";
        throw error;
      }
    },
    async putRunRecord(record: ScrapeRunRecord) {
      await client.send(
        new PutItemCommand({ TableName: tableName, Item: marshall(record, { removeUndefinedValues: true }) }),
      );
    },
  };
}
