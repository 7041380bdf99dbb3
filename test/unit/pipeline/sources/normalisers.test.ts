import { describe, expect, it } from "vitest";
import { demoRoster, PermanentError } from "../../../../src/pipeline/model/index.js";
import type { Celebrity } from "../../../../src/pipeline/model/index.js";
import {
  blueskyProfileSchema,
  blueskySearchSchema,
  gdeltArtlistSchema,
  gdeltQuery,
  normaliseNews,
  normaliseSocial,
  normaliseTmdb,
  normaliseWikipedia,
  pageViewWindow,
  pageViewsSchema,
  pickBlueskyActor,
  pickTmdbMatch,
  tmdbPersonSchema,
  tmdbSearchSchema,
  wikiTitle,
  wikipediaSummarySchema,
} from "../../../../src/pipeline/sources/index.js";

const DEMO_ROSTER = demoRoster();

const ava = DEMO_ROSTER[0] as Celebrity;

/** Shaped like TMDB's /3/search/person answer (trimmed to two results). */
const tmdbSearchPayload = {
  page: 1,
  results: [
    {
      adult: false,
      gender: 1,
      id: 48213,
      known_for_department: "Acting",
      name: ava.name.toUpperCase(),
      original_name: ava.name,
      popularity: 12.5,
      profile_path: "/abc.jpg",
      known_for: [
        { media_type: "movie", id: 1, title: "The Silent  Harbour", original_title: "The Silent Harbour" },
        { media_type: "tv", id: 2, name: "Corvane Street" },
        { media_type: "movie", id: 3, title: "the silent harbour" },
      ],
    },
    { id: 99, name: `${ava.name} Jr.`, popularity: 90, known_for_department: "Acting", known_for: [] },
  ],
  total_pages: 1,
  total_results: 2,
};

const tmdbPersonPayload = {
  adult: false,
  also_known_as: [],
  biography: `${ava.name} is an actor\nknown for brilliant, warm performances.`,
  birthday: "1984-03-02",
  deathday: null,
  gender: 1,
  homepage: null,
  id: 48213,
  imdb_id: "nm0000000",
  known_for_department: "Acting",
  name: ava.name,
  place_of_birth: "London, England, UK",
  popularity: 12.873,
  profile_path: "/abc.jpg",
};

describe("tmdb", () => {
  it("pickTmdbMatch + normaliseTmdb: exact name match, details' popularity, distinct titles", () => {
    // Prepare
    const search = tmdbSearchSchema.parse(tmdbSearchPayload);
    const person = tmdbPersonSchema.parse(tmdbPersonPayload);

    // Act
    const match = pickTmdbMatch(ava, search);
    const data = normaliseTmdb(match, person);

    // Assess: the more popular "Jr." is not the same person.
    expect(match.id).toBe(48213);
    expect(data).toStrictEqual({
      source: "tmdb",
      tmdbId: 48213,
      popularity: 12.873,
      knownForDepartment: "Acting",
      knownFor: ["The Silent Harbour", "Corvane Street"],
      biography: `${ava.name} is an actor known for brilliant, warm performances.`,
    });
  });

  it("pickTmdbMatch: no exact match is a PermanentError for that celebrity", () => {
    const search = tmdbSearchSchema.parse({
      page: 1,
      results: [{ id: 1, name: "Someone Else", popularity: 3 }],
    });
    expect(() => pickTmdbMatch(ava, search)).toThrow(PermanentError);
    expect(() => pickTmdbMatch(ava, search)).toThrow(
      /no person named "Ava Quill" \(search returned 1 other results\)/,
    );
  });

  it("schemas: a null biography and missing known_for are accepted; a string popularity is not", () => {
    const person = tmdbPersonSchema.parse({ ...tmdbPersonPayload, biography: null });
    const match = tmdbSearchSchema.parse({ results: [{ id: 1, name: ava.name, known_for: null }] })
      .results[0];
    expect(match).toBeDefined();
    expect(normaliseTmdb(match!, person)).toMatchObject({ biography: "", knownFor: [] });
    expect(tmdbPersonSchema.safeParse({ ...tmdbPersonPayload, popularity: "12" }).success).toBe(false);
    expect(tmdbSearchSchema.safeParse({ page: 1 }).success).toBe(false);
  });
});

/** Shaped like the REST summary answer for a standard article. */
const summaryPayload = {
  type: "standard",
  title: ava.name,
  displaytitle: `<span class="mw-page-title-main">${ava.name}</span>`,
  namespace: { id: 0, text: "" },
  wikibase_item: "Q123",
  titles: { canonical: wikiTitle(ava.name), normalized: ava.name, display: ava.name },
  pageid: 4242,
  lang: "en",
  dir: "ltr",
  revision: "1234567",
  tid: "abc",
  timestamp: "2026-07-30T10:00:00Z",
  description: "Fictional actor",
  content_urls: { desktop: { page: "https://en.wikipedia.org/wiki/Ava_Quill" } },
  extract: `${ava.name} (born 1984) is an  actor.\nShe won praise for her roles.`,
  extract_html: "<p>…</p>",
};

const viewsPayload = {
  items: [
    {
      project: "en.wikipedia",
      article: "Ava_Quill",
      granularity: "daily",
      timestamp: "2026070300",
      access: "all-access",
      agent: "user",
      views: 1200,
    },
    {
      project: "en.wikipedia",
      article: "Ava_Quill",
      granularity: "daily",
      timestamp: "2026070400",
      access: "all-access",
      agent: "user",
      views: 800,
    },
  ],
};

describe("wikipedia", () => {
  it("normaliseWikipedia: cleans the extract and sums the daily views", () => {
    const data = normaliseWikipedia(
      ava,
      wikipediaSummarySchema.parse(summaryPayload),
      pageViewsSchema.parse(viewsPayload),
    );
    expect(data).toStrictEqual({
      source: "wikipedia",
      title: ava.name,
      description: "Fictional actor",
      extract: `${ava.name} (born 1984) is an actor. She won praise for her roles.`,
      pageViews: 2000,
      pageViewDays: 30,
    });
  });

  it("normaliseWikipedia: no page-view series (Wikimedia's 404) counts as zero views", () => {
    const { description: _omitted, ...withoutDescription } = summaryPayload;
    const data = normaliseWikipedia(ava, wikipediaSummarySchema.parse(withoutDescription), undefined);
    expect(data).toMatchObject({ pageViews: 0, description: "" });
  });

  it("normaliseWikipedia: a disambiguation page is a PermanentError", () => {
    const summary = wikipediaSummarySchema.parse({ ...summaryPayload, type: "disambiguation" });
    expect(() => normaliseWikipedia(ava, summary, undefined)).toThrow(/disambiguation page/);
  });

  it("pageViewWindow: the 30 full UTC days before the scrape's day", () => {
    expect(pageViewWindow(Date.UTC(2026, 7, 2, 2, 0, 0))).toStrictEqual({
      start: "20260703",
      end: "20260801",
    });
    expect(pageViewWindow(Date.UTC(2026, 0, 1, 0, 0, 0))).toStrictEqual({
      start: "20251202",
      end: "20251231",
    });
  });

  it("schemas: negative or fractional views and a missing extract are refused", () => {
    expect(pageViewsSchema.safeParse({ items: [{ timestamp: "x", views: -1 }] }).success).toBe(false);
    expect(pageViewsSchema.safeParse({ items: [{ timestamp: "x", views: 1.5 }] }).success).toBe(false);
    const { extract: _omitted, ...noExtract } = summaryPayload;
    expect(wikipediaSummarySchema.safeParse(noExtract).success).toBe(false);
  });
});

/** Shaped like GDELT DOC 2.0 artlist JSON. */
const artlistPayload = {
  articles: [
    {
      url: "https://news.example/a",
      url_mobile: "",
      title: `${ava.name} wins award for outstanding performance`,
      seendate: "20260801T101500Z",
      socialimage: "",
      domain: "news.example",
      language: "English",
      sourcecountry: "United Kingdom",
    },
    {
      url: "https://other.example/b",
      title: `${ava.name}  wins award for outstanding performance`,
      seendate: "20260801T090000Z",
      domain: "other.example",
      language: "English",
      sourcecountry: "United States",
    },
    {
      url: "https://news.example/c",
      title: `Critics slam ${ava.name}'s new film`,
      seendate: "20260731T080000Z",
      domain: "news.example",
      language: "English",
      sourcecountry: "United Kingdom",
    },
  ],
};

describe("news", () => {
  it("normaliseNews: counts all articles, keeps distinct headlines, no tone when none is sent", () => {
    const data = normaliseNews(gdeltArtlistSchema.parse(artlistPayload));
    expect(data).toStrictEqual({
      source: "news",
      articleCount: 3,
      headlines: [
        `${ava.name} wins award for outstanding performance`,
        `Critics slam ${ava.name}'s new film`,
      ],
    });
  });

  it("normaliseNews: averages tone when articles carry it", () => {
    const withTone = { articles: artlistPayload.articles.map((a, i) => ({ ...a, tone: [2.5, 1, -1.2][i] })) };
    expect(normaliseNews(gdeltArtlistSchema.parse(withTone)).averageTone).toBe(0.77);
  });

  it("normaliseNews: GDELT's empty answer {} is zero articles", () => {
    expect(normaliseNews(gdeltArtlistSchema.parse({}))).toStrictEqual({
      source: "news",
      articleCount: 0,
      headlines: [],
    });
  });

  it("normaliseNews: keeps at most 10 headlines", () => {
    const many = {
      articles: Array.from({ length: 40 }, (_, i) => ({ url: `u${i}`, title: `Headline ${i}` })),
    };
    const data = normaliseNews(gdeltArtlistSchema.parse(many));
    expect(data.articleCount).toBe(40);
    expect(data.headlines).toHaveLength(10);
  });

  it("gdeltQuery: quotes the full name as a phrase", () => {
    expect(gdeltQuery(ava)).toBe(`"${ava.name}"`);
    expect(gdeltArtlistSchema.safeParse({ articles: [{ url: "u" }] }).success).toBe(false);
  });
});

const searchPayload = {
  actors: [
    {
      did: "did:plc:fan000000000000000000000",
      handle: "avaquillfans.bsky.social",
      displayName: `${ava.name}`,
      description: "Fan account",
    },
    {
      did: "did:plc:real00000000000000000000",
      handle: ava.handle,
      displayName: ava.name,
      description: "Actor.",
      indexedAt: "2026-01-01T00:00:00Z",
      labels: [],
    },
  ],
  cursor: "25",
};

describe("social", () => {
  it("pickBlueskyActor: the roster handle wins over a fan account with the same display name", () => {
    const actor = pickBlueskyActor(ava, blueskySearchSchema.parse(searchPayload));
    expect(actor.did).toBe("did:plc:real00000000000000000000");
  });

  it("pickBlueskyActor: one exact display-name match is taken; two are ambiguous", () => {
    const [fan, real] = searchPayload.actors;
    const single = blueskySearchSchema.parse({ actors: [{ ...real, handle: "ava.example.com" }] });
    expect(pickBlueskyActor(ava, single).handle).toBe("ava.example.com");
    const twoFans = blueskySearchSchema.parse({
      actors: [fan, { ...fan, did: "did:plc:x", handle: "x.bsky.social" }],
    });
    expect(() => pickBlueskyActor(ava, twoFans)).toThrow(/2 accounts share the name/);
    expect(() => pickBlueskyActor(ava, blueskySearchSchema.parse({ actors: [] }))).toThrow(PermanentError);
  });

  it("normaliseSocial: counts, lower-case handle and a cleaned bio; missing counts are zero", () => {
    const profile = blueskyProfileSchema.parse({
      did: "did:plc:real00000000000000000000",
      handle: ava.handle!.toUpperCase(),
      displayName: ava.name,
      description: "Actor.\n\nLondon 🎭",
      followersCount: 15200,
      followsCount: 120,
      postsCount: 981,
      associated: { lists: 0 },
      createdAt: "2023-05-01T00:00:00.000Z",
    });
    expect(normaliseSocial(profile)).toStrictEqual({
      source: "social",
      handle: ava.handle,
      displayName: ava.name,
      followers: 15200,
      postsCount: 981,
      description: "Actor. London 🎭",
    });
    const bare = blueskyProfileSchema.parse({ did: "did:plc:y", handle: "y.bsky.social" });
    expect(normaliseSocial(bare)).toMatchObject({
      followers: 0,
      postsCount: 0,
      description: "",
      displayName: "",
    });
  });

  it("schemas: a DID without the did: prefix or a negative follower count is refused", () => {
    expect(blueskySearchSchema.safeParse({ actors: [{ did: "plc:x", handle: "h" }] }).success).toBe(false);
    expect(
      blueskyProfileSchema.safeParse({ did: "did:plc:x", handle: "h", followersCount: -3 }).success,
    ).toBe(false);
  });
});
