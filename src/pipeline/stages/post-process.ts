import type { DynamoDBRecord } from "aws-lambda";
import { PermanentError } from "../model/errors.js";
import { needsEnrichment, validateCompleteness } from "../model/item.js";
import type { CelebrityItem } from "../model/item.js";
import type { ItemKey } from "../model/keys.js";
import { analyseSentiment } from "../model/sentiment.js";
import type { SentimentLabel } from "../model/sentiment.js";
import { sentimentText } from "../model/source-data.js";
import { computeWeight } from "../model/weight.js";
import { isCelebrityRecord, recordKey, unmarshallImage } from "./stream-records.js";

/**
 * The post-processor's unit of work: one DynamoDB stream record in, at most one conditional
 * UpdateItem out. The handler feeds records to it through Powertools' BatchProcessor; a thrown
 * error fails that record alone (reported in batchItemFailures).
 */

export interface Enrichment {
  weight: number;
  sentiment: SentimentLabel;
  sentimentScore: number;
  /** The contentHash the enrichment was computed from. */
  enrichedHash: string;
  processedAt: string;
}

/** Where enrichments are written. `superseded`: the item's content changed since the record. */
export interface EnrichmentTable {
  writeEnrichment(key: ItemKey, enrichment: Enrichment): Promise<"updated" | "superseded">;
}

export type PostProcessOutcome =
  | { outcome: "enriched"; key: ItemKey; weight: number; sentiment: SentimentLabel }
  /** A newer version of the item was written meanwhile; its own record will be enriched. */
  | { outcome: "superseded"; key: ItemKey }
  | { outcome: "skipped"; key: ItemKey | undefined; reason: PostProcessSkipReason };

export type PostProcessSkipReason =
  /** The mapping's FilterCriteria should have dropped it (run record or foreign item). */
  | "not-a-celebrity-item"
  /** Deletions need no enrichment. */
  | "removed"
  /** Already enriched from this content: this is the post-processor's own MODIFY, or a replay. */
  | "already-enriched";

export interface PostProcessDeps {
  table: EnrichmentTable;
  now: () => Date;
}

/** Weight and sentiment of an item, from its data alone. */
export function enrichmentOf(
  item: Pick<CelebrityItem, "data" | "contentHash">,
  processedAt: Date,
): Enrichment {
  const sentiment = analyseSentiment(sentimentText(item.data));
  return {
    weight: computeWeight(item),
    sentiment: sentiment.label,
    sentimentScore: sentiment.score,
    enrichedHash: item.contentHash,
    processedAt: processedAt.toISOString(),
  };
}

export async function postProcessRecord(
  record: DynamoDBRecord,
  deps: PostProcessDeps,
): Promise<PostProcessOutcome> {
  const key = recordKey(record);
  if (!isCelebrityRecord(record) || key === undefined) {
    return { outcome: "skipped", key, reason: "not-a-celebrity-item" };
  }
  if (record.eventName === "REMOVE") return { outcome: "skipped", key, reason: "removed" };
  const image = unmarshallImage(record.dynamodb?.NewImage);
  if (image === undefined) {
    throw new PermanentError(
      `${record.eventName ?? "record"} for ${key.pk}/${key.sk} has no NewImage: the table's stream must use NEW_AND_OLD_IMAGES`,
    );
  }
  // The no-loop guard: the UpdateItem below yields a MODIFY whose NewImage has enrichedHash equal
  // to contentHash (and weight and sentiment set); that record stops here.
  if (
    !needsEnrichment(image as Pick<CelebrityItem, "contentHash" | "enrichedHash" | "weight" | "sentiment">)
  ) {
    return { outcome: "skipped", key, reason: "already-enriched" };
  }
  const problems = validateCompleteness(image);
  if (problems.length > 0) {
    throw new PermanentError(`${key.pk}/${key.sk} cannot be enriched: ${problems.join("; ")}`, {
      celebrityId: key.pk,
    });
  }
  const item = image as unknown as CelebrityItem;
  const enrichment = enrichmentOf(item, deps.now());
  const written = await deps.table.writeEnrichment(key, enrichment);
  if (written === "superseded") return { outcome: "superseded", key };
  return { outcome: "enriched", key, weight: enrichment.weight, sentiment: enrichment.sentiment };
}
