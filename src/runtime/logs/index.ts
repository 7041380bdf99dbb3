/**
 * The logs engine: tail one or many of the stack's functions at once, interleaved by time, with
 * follow, since and filter pattern, over FilterLogEvents (one group per call). Returns data, never prints.
 */
export { DEFAULT_LATE_WINDOW_MS, interleave, TailCursor } from "./merge.js";
export type { TailEvent } from "./merge.js";
export { parseSince } from "./since.js";
export { resolveLogSources } from "./sources.js";
export type { LogSource } from "./sources.js";
export { DEFAULT_POLL_INTERVAL_MS, filterWithClient, systemTailClock, tailLogs } from "./tail.js";
export type { FilterLogEventsPort, FilterPage, FilterPageRequest, TailClock, TailOptions } from "./tail.js";
export { digestLogMessage, fitMiddle } from "./digest.js";
export type { LogDigest } from "./digest.js";
