import { demoRoster, buildCelebrityItem } from "../../src/pipeline/model/index.js";
import type { CelebrityItem, Celebrity, SourceData } from "../../src/pipeline/model/index.js";

const DEMO_ROSTER = demoRoster();

/** Complete celebrity items for tests, one per source, with data whose text drives the sentiment. */
export function celebrityAt(index: number): Celebrity {
  const celebrity = DEMO_ROSTER[index];
  if (celebrity === undefined) throw new Error(`no roster entry ${index}`);
  return celebrity;
}

export function tmdbItem(
  index = 0,
  overrides: { popularity?: number; biography?: string } = {},
): CelebrityItem {
  const celebrity = celebrityAt(index);
  const data: SourceData = {
    source: "tmdb",
    tmdbId: 1000 + index,
    popularity: overrides.popularity ?? 12.5 + index,
    knownForDepartment: "Acting",
    knownFor: ["The Glass Orchard"],
    biography: overrides.biography ?? `${celebrity.name} is a wonderful, brilliant and beloved performer.`,
  };
  return buildCelebrityItem(celebrity, "tmdb", data, "2026-08-02T02:00:00.000Z");
}

export function newsItem(index = 0, headlines = ["Scandal and disgrace: a terrible week"]): CelebrityItem {
  const celebrity = celebrityAt(index);
  return buildCelebrityItem(
    celebrity,
    "news",
    { source: "news", articleCount: 40 + index, headlines, averageTone: -3.2 },
    "2026-08-02T02:00:00.000Z",
  );
}

export function runRecordImage(runId = "run-1"): Record<string, unknown> {
  return { pk: `RUN#${runId}`, sk: "SOURCE#tmdb", recordType: "run", runId, counts: { fetched: 1 } };
}
