/** The four sources the pipeline scrapes; one scraper function and one item per celebrity each. */
export const SOURCES = ["tmdb", "wikipedia", "news", "social"] as const;

export type SourceName = (typeof SOURCES)[number];

export function isSourceName(value: unknown): value is SourceName {
  return typeof value === "string" && (SOURCES as readonly string[]).includes(value);
}

/** Parses a source name at an edge (env var, CLI flag), naming the allowed values on failure. */
export function parseSourceName(value: string | undefined, what = "source"): SourceName {
  if (isSourceName(value)) return value;
  throw new Error(`${what} must be one of ${SOURCES.join(", ")}; got ${JSON.stringify(value ?? null)}`);
}
