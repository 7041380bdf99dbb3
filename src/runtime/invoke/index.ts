/**
 * Running the pipeline's stages in-process, and the events they receive. Engines: return data, never print.
 */
export { generateEvent, SAMPLE_EVENT_KINDS } from "./generate.js";
export type { GenerateOptions, SampleEventKind } from "./generate.js";
export { manualEvent, scheduledEvent, sqsBatch, streamArn, streamBatch } from "./events.js";
export type { Place, ScrapeEvent, SqsOptions, StreamChange, StreamOptions } from "./events.js";
export { sampleItems } from "./sample-items.js";
