import { describe, expect, it } from "vitest";
import { CELEBRITY_RECORD_FILTER_PATTERN } from "../../../../src/pipeline/stack/index.js";
import { matchesAny, parseFilterPatterns } from "../../../../src/runtime/dlq/index.js";

const record = (pk: string, eventName = "INSERT") => ({
  eventName,
  dynamodb: { Keys: { pk: { S: pk }, sk: { S: "SOURCE#news" } }, SequenceNumber: "1" },
});

describe("stream records against a mapping's FilterCriteria", () => {
  it("keeps the celebrity items the stack's mappings match and drops run records", () => {
    const patterns = parseFilterPatterns([CELEBRITY_RECORD_FILTER_PATTERN]);
    expect(matchesAny(patterns, record("CELEB#042"))).toBe(true);
    expect(matchesAny(patterns, record("RUN#2026-08-02"))).toBe(false);
  });

  it("evaluates exact values, suffix, exists and anything-but; any pattern of several may match", () => {
    const patterns = parseFilterPatterns([
      JSON.stringify({ eventName: ["REMOVE"] }),
      JSON.stringify({ dynamodb: { Keys: { sk: { S: [{ suffix: "#news" }] }, gsi: [{ exists: false }] } } }),
    ]);
    expect(matchesAny(patterns, record("CELEB#1", "REMOVE"))).toBe(true);
    expect(matchesAny(patterns, record("CELEB#1", "MODIFY"))).toBe(true);
    const butModify = parseFilterPatterns([JSON.stringify({ eventName: [{ "anything-but": ["MODIFY"] }] })]);
    expect(matchesAny(butModify, record("CELEB#1", "MODIFY"))).toBe(false);
    expect(matchesAny(butModify, record("CELEB#1", "INSERT"))).toBe(true);
  });

  it("passes every record without patterns, and under an operator it does not evaluate", () => {
    expect(matchesAny([], record("RUN#1"))).toBe(true);
    const numeric = parseFilterPatterns([
      JSON.stringify({ dynamodb: { SizeBytes: [{ numeric: [">", 10] }] } }),
    ]);
    expect(matchesAny(numeric, { dynamodb: { SizeBytes: 3 } })).toBe(true);
  });
});
