import type { NewsData, SocialData, TmdbData, WikipediaData } from "../../../../src/pipeline/model/index.js";

export const tmdbData: TmdbData = {
  source: "tmdb",
  tmdbId: 9001,
  popularity: 42.5,
  knownForDepartment: "Acting",
  knownFor: ["The Glass Orchard", "Harbour Lights"],
  biography: "Ava Quill is a celebrated actor, loved for warm and brilliant performances.",
};

export const wikipediaData: WikipediaData = {
  source: "wikipedia",
  title: "Ava Quill",
  description: "Fictional actor",
  extract: "Ava Quill is an actor known for stage and screen work.",
  pageViews: 300_000,
  pageViewDays: 30,
};

export const newsData: NewsData = {
  source: "news",
  articleCount: 25,
  headlines: ["Ava Quill wins award", "Ava Quill opens festival"],
  averageTone: 2.1,
};

export const socialData: SocialData = {
  source: "social",
  handle: "ava-quill.bsky.social",
  displayName: "Ava Quill",
  followers: 12_000,
  postsCount: 340,
  description: "Actor. Tea drinker. Terrible at crosswords.",
};
