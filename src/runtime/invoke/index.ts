/**
 * Running the pipeline's stages in-process, and the events they receive. Engines: return data, never print.
 */
export { generateEvent, SAMPLE_EVENT_KINDS } from "./generate.js";
export type { GenerateOptions, SampleEventKind } from "./generate.js";
export { manualEvent, scheduledEvent, sqsBatch, streamArn, streamBatch } from "./events.js";
export type { Place, ScrapeEvent, SqsOptions, StreamChange, StreamOptions } from "./events.js";
export { sampleItems } from "./sample-items.js";
export { runPipeline, RUN_STAGES, RunInputError, validateRunRequest } from "./run.js";
export type {
  FinalCounts,
  FunctionStage,
  RunEnvironment,
  RunReport,
  RunRequest,
  RunStage,
  StageSummary,
} from "./run.js";
export type { CapturedLine } from "./captured-logger.js";
export { TableMissingError } from "./prepare.js";
export { MAX_EVENT_BYTES, readEventInput } from "./event-input.js";
export type { EventSource } from "./event-input.js";
