import { KEY_ATTRIBUTES, KEY_PREFIX } from "../model/keys.js";
import { tableArn } from "./arns.js";
import type { AccountRegion } from "./arns.js";
import { TABLE_INDEXES } from "./settings.js";
import type { TableDeclaration } from "./types.js";

/**
 * The one table: celebrity items and run records (pk/sk), GSI1 by category and place, GSI2 by
 * social handle, on demand, with a NEW_AND_OLD_IMAGES stream for the two consumers.
 */
export function declareTable(at: AccountRegion, name: string): TableDeclaration {
  const { pk, sk, gsi1pk, gsi1sk, gsi2pk } = KEY_ATTRIBUTES;
  return {
    name,
    arn: tableArn(at, name),
    definition: {
      TableName: name,
      AttributeDefinitions: [pk, sk, gsi1pk, gsi1sk, gsi2pk].map((AttributeName) => ({
        AttributeName,
        AttributeType: "S" as const,
      })),
      KeySchema: [
        { AttributeName: pk, KeyType: "HASH" },
        { AttributeName: sk, KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: TABLE_INDEXES.byCategoryLocation,
          KeySchema: [
            { AttributeName: gsi1pk, KeyType: "HASH" },
            { AttributeName: gsi1sk, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
        {
          IndexName: TABLE_INDEXES.bySocialHandle,
          KeySchema: [{ AttributeName: gsi2pk, KeyType: "HASH" }],
          Projection: { ProjectionType: "ALL" },
        },
      ],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    },
  };
}

/**
 * FilterCriteria pattern the stream mappings use: only celebrity items (`pk` starts with CELEB#),
 * so run records never invoke the consumers. The handlers check again as a second guard.
 */
export const CELEBRITY_RECORD_FILTER_PATTERN = JSON.stringify({
  dynamodb: { Keys: { [KEY_ATTRIBUTES.pk]: { S: [{ prefix: KEY_PREFIX.celebrity }] } } },
});
