import { createHash } from "node:crypto";
import {
  buildCelebrityItem,
  generateRoster,
  SOURCES,
  type CelebrityItem,
  type Celebrity,
  type SourceData,
  type SourceName,
} from "../../pipeline/model/index.js";

/**
 * Celebrity items as the scrapers write them (complete, hashed, with GSI keys), for invented
 * people (the generated roster, as many as the count needs) and deterministic source data, for
 * sample stream events. Same inputs, same items.
 */
export function sampleItems(options: {
  count: number;
  sources?: readonly SourceName[];
  timestamp: Date;
}): CelebrityItem[] {
  const sources = options.sources ?? SOURCES;
  const celebrities = generateRoster(Math.max(1, Math.ceil(options.count / sources.length)));
  const items: CelebrityItem[] = [];
  for (const celebrity of celebrities) {
    for (const source of sources) {
      if (items.length === options.count) return items;
      items.push(buildCelebrityItem(celebrity, source, sampleData(celebrity, source), options.timestamp));
    }
  }
  return items;
}

/** A number in [0, 1) that depends only on the parts. */
function unit(...parts: string[]): number {
  return createHash("sha256").update(parts.join("|")).digest().readUInt32BE(0) / 2 ** 32;
}

const TONES = [
  "celebrated for a warm and generous stage presence",
  "known for a steady, quiet career",
  "criticised after a disappointing season",
];

function sampleData(celebrity: Celebrity, source: SourceName): SourceData {
  const r = unit(celebrity.id, source);
  const tone = TONES[Math.floor(unit(celebrity.id, "tone") * TONES.length)]!;
  switch (source) {
    case "tmdb":
      return {
        source,
        tmdbId: 1000 + Number(celebrity.id),
        popularity: Math.round(r * 2000) / 10,
        knownForDepartment: celebrity.category === "director" ? "Directing" : "Acting",
        knownFor: [`${celebrity.name.split(" ")[1] ?? celebrity.name} Returns`, "The Long Evening"],
        biography: `${celebrity.name} is a ${celebrity.category} from ${celebrity.city}, ${tone}.`,
      };
    case "wikipedia":
      return {
        source,
        title: celebrity.name,
        description: `${celebrity.country} ${celebrity.category}`,
        extract: `${celebrity.name} is a ${celebrity.category} based in ${celebrity.city}, ${tone}.`,
        pageViews: Math.round(r * 500_000),
        pageViewDays: 30,
      };
    case "news":
      return {
        source,
        articleCount: Math.round(r * 120),
        headlines: [`${celebrity.name} announces new project`, `${celebrity.name} ${tone}`],
        averageTone: Math.round((r * 10 - 5) * 100) / 100,
      };
    case "social":
      return {
        source,
        handle: celebrity.handle ?? `${celebrity.id}.bsky.social`,
        displayName: celebrity.name,
        followers: Math.round(r * 2_000_000),
        postsCount: Math.round(unit(celebrity.id, "posts") * 5000),
        description: `${celebrity.category} in ${celebrity.city}. ${tone}.`,
      };
  }
}
