import { describe, expect, it } from "vitest";
import {
  demoRoster,
  celebrityIdOf,
  celebrityKey,
  documentId,
  gsiKeys,
  isCelebrityKey,
  isRunRecordKey,
  keySegment,
  runRecordKey,
} from "../../../../src/pipeline/model/index.js";

const DEMO_ROSTER = demoRoster();

describe("keys", () => {
  it("celebrityKey: CELEB#<id> / SOURCE#<source>", () => {
    expect(celebrityKey("042", "tmdb")).toStrictEqual({ pk: "CELEB#042", sk: "SOURCE#tmdb" });
  });

  it("runRecordKey: RUN#<runId> / SOURCE#<source>", () => {
    expect(runRecordKey("evt-1", "news")).toStrictEqual({ pk: "RUN#evt-1", sk: "SOURCE#news" });
  });

  it("isCelebrityKey / isRunRecordKey tell the two apart", () => {
    expect(isCelebrityKey("CELEB#001")).toBe(true);
    expect(isCelebrityKey("RUN#x")).toBe(false);
    expect(isCelebrityKey(undefined)).toBe(false);
    expect(isRunRecordKey("RUN#x")).toBe(true);
    expect(celebrityIdOf("CELEB#007")).toBe("007");
    expect(celebrityIdOf("RUN#007")).toBeUndefined();
  });

  it("gsiKeys: category, upper-case location with spaces as _, social handle", () => {
    const celebrity = {
      id: "016",
      category: "actor" as const,
      country: "mx",
      city: "Mexico City",
      handle: "A-B.bsky.social",
    };
    expect(gsiKeys(celebrity)).toStrictEqual({
      gsi1pk: "CATEGORY#actor",
      gsi1sk: "LOCATION#MX#MEXICO_CITY#016",
      gsi2pk: "SOCIAL#a-b.bsky.social",
    });
  });

  it("keySegment strips accents and the segment separator", () => {
    expect(keySegment("São Paulo")).toBe("SAO_PAULO");
    expect(keySegment(" New  York#1 ")).toBe("NEW_YORK1");
  });

  it("every roster member has distinct GSI2 keys and well-formed GSI1 keys", () => {
    const keys = DEMO_ROSTER.map(gsiKeys);
    expect(new Set(keys.map((k) => k.gsi2pk)).size).toBe(100);
    expect(keys.every((k) => /^LOCATION#[A-Z]{2}#[A-Z_]+#\d{3}$/.test(k.gsi1sk))).toBe(true);
  });

  it("documentId joins pk and sk with |", () => {
    expect(documentId({ pk: "CELEB#001", sk: "SOURCE#social" })).toBe("CELEB#001|SOURCE#social");
  });
});
