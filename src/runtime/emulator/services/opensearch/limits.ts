/** OpenSearch defaults and limits the emulator follows (aws-behaviour.md §9). */

/** The version `GET /` reports; the official JS client accepts any 1.x–3.x. */
export const OPENSEARCH_VERSION = {
  distribution: "opensearch",
  number: "2.19.1",
  build_type: "tar",
  build_hash: "emulator",
  build_date: "2025-02-27T00:00:00.000000Z",
  build_snapshot: false,
  lucene_version: "9.12.1",
  minimum_wire_compatibility_version: "7.10.0",
  minimum_index_compatibility_version: "7.0.0",
};

export const DEFAULT_REFRESH_INTERVAL_MS = 1000;
/** `index.gc_deletes`: how long a delete's tombstone keeps its version (OpenSearch default). */
export const DEFAULT_GC_DELETES = "60s";
export const DEFAULT_SEARCH_SIZE = 10;
export const MAX_RESULT_WINDOW = 10_000;
/** `hits.total` is exact up to this many hits unless `track_total_hits: true`. */
export const DEFAULT_TRACK_TOTAL_HITS = 10_000;
export const MAX_ID_BYTES = 512;
export const MAX_INDEX_NAME_BYTES = 255;
export const DEFAULT_KEYWORD_IGNORE_ABOVE = 256;
export const COMPACT_AFTER_ENTRIES = 1_000;
