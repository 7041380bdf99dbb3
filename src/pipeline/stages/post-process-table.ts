import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { ItemKey } from "../model/keys.js";
import { versionBump } from "../model/version.js";
import type { Enrichment, EnrichmentTable } from "./post-process.js";

/**
 * The DynamoDB side of the post-processor. The update is conditional on the item still holding
 * the content the enrichment was computed from: if a scraper wrote new content meanwhile, the
 * write is refused and the newer record (already on the stream) gets its own enrichment.
 * Every attribute goes through ExpressionAttributeNames: several are reserved words.
 */
export function dynamoEnrichmentTable(client: DynamoDBClient, tableName: string): EnrichmentTable {
  return {
    async writeEnrichment(key: ItemKey, enrichment: Enrichment) {
      // The enrichment is a change of the item like any other: it bumps the version (model/version.ts).
      const bump = versionBump(enrichment.processedAt);
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: marshall(key),
            UpdateExpression:
              "SET #weight = :weight, #sentiment = :sentiment, #sentimentScore = :sentimentScore, " +
              `#enrichedHash = :hash, #processedAt = :processedAt, ${bump.clause}`,
            ConditionExpression: "#contentHash = :hash",
            ExpressionAttributeNames: {
              "#weight": "weight",
              "#sentiment": "sentiment",
              "#sentimentScore": "sentimentScore",
              "#enrichedHash": "enrichedHash",
              "#processedAt": "processedAt",
              "#contentHash": "contentHash",
              ...bump.names,
            },
            ExpressionAttributeValues: marshall({
              ":weight": enrichment.weight,
              ":sentiment": enrichment.sentiment,
              ":sentimentScore": enrichment.sentimentScore,
              ":hash": enrichment.enrichedHash,
              ":processedAt": enrichment.processedAt,
              ...bump.values,
            }),
          }),
        );
        return "updated";
      } catch (error) {
        // By name, not instanceof: a bundle may hold its own copy of the SDK's error classes.
        if ((error as { name?: unknown }).name === "ConditionalCheckFailedException") return "superseded";
        throw error;
      }
    },
  };
}
