import type { SourceName } from "../../pipeline/model/sources.js";
import { stackNames } from "../../pipeline/stack/index.js";
import type { PipelineConfig } from "../config/schema.js";
import { manualEvent, scheduledEvent, sqsBatch, streamBatch } from "./events.js";
import { sampleItems } from "./sample-items.js";

/** The sample events `pipeline events generate` writes, named as the stack names its resources. */
export const SAMPLE_EVENT_KINDS = ["scheduled", "manual", "stream", "sqs"] as const;
export type SampleEventKind = (typeof SAMPLE_EVENT_KINDS)[number];

export interface GenerateOptions {
  config: Pick<PipelineConfig, "region" | "suffix" | "opensearch">;
  account: string;
  /** Records in a stream or SQS batch. */
  count: number;
  time: Date;
  sources?: readonly SourceName[];
}

export function generateEvent(kind: SampleEventKind, options: GenerateOptions): unknown {
  const at = { account: options.account, region: options.config.region };
  const names = stackNames(options.config.suffix, options.config.opensearch.index);
  switch (kind) {
    case "scheduled":
      return scheduledEvent(at, names.rules.weekly, options.time);
    case "manual":
      return manualEvent(at, options.time);
    case "stream": {
      const items = sampleItems({ count: options.count, sources: options.sources, timestamp: options.time });
      return streamBatch(
        items.map((newImage) => ({ eventName: "INSERT" as const, newImage })),
        { ...at, tableName: names.table, time: options.time },
      );
    }
    case "sqs": {
      // What the scraper DLQ holds: the original EventBridge events of failed invocations.
      const bodies = Array.from({ length: options.count }, () =>
        scheduledEvent(at, names.rules.weekly, options.time),
      );
      return sqsBatch(bodies, { ...at, queueName: names.queues.scraperDlq, time: options.time });
    }
  }
}
