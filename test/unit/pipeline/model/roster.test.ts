import { describe, expect, it } from "vitest";
import {
  CATEGORIES,
  COUNTRY_CODES,
  DEMO_ROSTER_COUNT,
  demoRoster,
  generateRoster,
  rosterEntrySchema,
  rosterHash,
  slugOf,
} from "../../../../src/pipeline/model/index.js";

describe("demoRoster: the invented demo people", () => {
  const demo = demoRoster();

  it("is the generator's first people, ids 001..100 in order", () => {
    expect(DEMO_ROSTER_COUNT).toBe(100);
    expect(demo).toHaveLength(100);
    expect(demo.map((c) => c.id)).toStrictEqual(
      Array.from({ length: 100 }, (_, n) => String(n + 1).padStart(3, "0")),
    );
    expect(generateRoster(250).slice(0, 100)).toStrictEqual(demo);
  });

  it("keeps the people it always had (Ava Quill first)", () => {
    expect(demo[0]).toStrictEqual({
      id: "001",
      name: "Ava Quill",
      category: "actor",
      country: "GB",
      city: "London",
      handle: "ava-quill.bsky.social",
    });
  });

  it("uses every category, valid countries and several places", () => {
    expect(new Set(demo.map((c) => c.category))).toStrictEqual(new Set(CATEGORIES));
    expect(demo.every((c) => COUNTRY_CODES.has(c.country))).toBe(true);
    expect(new Set(demo.map((c) => c.city)).size).toBeGreaterThan(10);
  });
});

describe("generateRoster", () => {
  it("gives unique ids, names and handles at any count", () => {
    for (const count of [100, 500, 501, 10_000, 20_000]) {
      const people = generateRoster(count);
      expect(new Set(people.map((c) => c.id)).size).toBe(count);
      expect(new Set(people.map((c) => c.name)).size).toBe(count);
      expect(new Set(people.map((c) => c.handle)).size).toBe(count);
    }
  });

  it("pads ids to the count's width and passes the entry schema", () => {
    const people = generateRoster(10_000, { sourceIds: true });
    expect(people[0]?.id).toBe("00001");
    expect(people[9999]?.id).toBe("10000");
    for (const person of [people[0]!, people[612]!, people[9999]!]) {
      expect(rosterEntrySchema.safeParse(person).success).toBe(true);
      expect(person.tmdbId).toBeGreaterThan(0);
    }
  });

  it("is deterministic and refuses a count below 1", () => {
    expect(generateRoster(30)).toStrictEqual(generateRoster(30));
    expect(() => generateRoster(0)).toThrow(/count/);
  });
});

describe("rosterEntrySchema", () => {
  const valid = { name: "Ava Quill", category: "Actor", country: "gb", city: "London" };

  it("normalises case and defaults active to true", () => {
    const parsed = rosterEntrySchema.parse({ ...valid, handle: "@Ava-Quill.bsky.social" });
    expect(parsed).toMatchObject({
      category: "actor",
      country: "GB",
      active: true,
      handle: "ava-quill.bsky.social",
    });
  });

  it("names what is wrong and what is allowed", () => {
    const bad = rosterEntrySchema.safeParse({
      ...valid,
      country: "XX",
      handle: "not a handle",
      tmdbId: -3,
      extra: 1,
    });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^country: .*ISO 3166-1 alpha-2/),
        expect.stringMatching(/^handle: .*Bluesky handle/),
        expect.stringMatching(/^tmdbId: .*positive integer/),
        expect.stringMatching(/extra/),
      ]),
    );
  });
});

describe("slugOf and rosterHash", () => {
  it("makes ids from names", () => {
    expect(slugOf("Zoë  O'Brien-Smith")).toBe("zoe-o-brien-smith");
    expect(slugOf("!!!")).toBe("");
  });

  it("changes with any scraped field and not with order", () => {
    const people = generateRoster(5);
    expect(rosterHash([...people].reverse())).toBe(rosterHash(people));
    const moved = people.map((c, i) => (i === 2 ? { ...c, city: "Elsewhere" } : c));
    expect(rosterHash(moved)).not.toBe(rosterHash(people));
  });
});
