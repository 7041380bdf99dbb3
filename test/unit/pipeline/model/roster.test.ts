import { describe, expect, it } from "vitest";
import {
  CATEGORIES,
  DEMO_ROSTER,
  findCelebrity,
  rosterOfSize,
} from "../../../../src/pipeline/model/index.js";

describe("DEMO_ROSTER", () => {
  it("has 100 celebrities with ids 001..100 in order", () => {
    // Assess
    expect(DEMO_ROSTER).toHaveLength(100);
    expect(DEMO_ROSTER.map((c) => c.id)).toStrictEqual(
      Array.from({ length: 100 }, (_, n) => String(n + 1).padStart(3, "0")),
    );
  });

  it("has unique names and unique handles", () => {
    expect(new Set(DEMO_ROSTER.map((c) => c.name)).size).toBe(100);
    expect(new Set(DEMO_ROSTER.map((c) => c.handle)).size).toBe(100);
  });

  it("is deterministic and starts with Ava Quill", () => {
    expect(DEMO_ROSTER[0]).toStrictEqual({
      id: "001",
      name: "Ava Quill",
      category: "actor",
      country: "GB",
      city: "London",
      handle: "ava-quill.bsky.social",
    });
  });

  it("uses every category, ISO-2 countries and several places", () => {
    expect(new Set(DEMO_ROSTER.map((c) => c.category))).toStrictEqual(new Set(CATEGORIES));
    expect(DEMO_ROSTER.every((c) => /^[A-Z]{2}$/.test(c.country))).toBe(true);
    expect(new Set(DEMO_ROSTER.map((c) => c.city)).size).toBeGreaterThan(10);
    expect(DEMO_ROSTER.every((c) => /^[a-z]+-[a-z]+\.bsky\.social$/.test(c.handle))).toBe(true);
  });

  it("is frozen", () => {
    expect(Object.isFrozen(DEMO_ROSTER)).toBe(true);
    expect(Object.isFrozen(DEMO_ROSTER[0])).toBe(true);
  });
});

describe("rosterOfSize", () => {
  it("returns a prefix of the roster", () => {
    expect(rosterOfSize(3).map((c) => c.id)).toStrictEqual(["001", "002", "003"]);
    expect(rosterOfSize()).toHaveLength(100);
  });

  it("rejects sizes outside 1..100 with the allowed range", () => {
    expect(() => rosterOfSize(0)).toThrow(/1 to 100/);
    expect(() => rosterOfSize(101)).toThrow(/1 to 100/);
    expect(() => rosterOfSize(2.5)).toThrow(/integer/);
  });

  it("findCelebrity finds by id", () => {
    expect(findCelebrity("042")?.id).toBe("042");
    expect(findCelebrity("999")).toBeUndefined();
  });
});
