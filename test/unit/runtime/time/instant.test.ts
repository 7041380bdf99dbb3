import { describe, expect, it } from "vitest";
import { parseInstant } from "../../../../src/runtime/time/instant.js";

const at = (text: string, durations = false) =>
  parseInstant(text, { option: "--at", durations, now: Date.parse("2026-11-23T10:00:00Z") });

describe("parseInstant: the one strict time parser", () => {
  it("reads dates (midnight UTC) and times with Z or an offset, to the millisecond", () => {
    expect(at("2026-11-29")).toBe(Date.parse("2026-11-29T00:00:00Z"));
    expect(at("2026-11-29T02:00Z")).toBe(Date.parse("2026-11-29T02:00:00Z"));
    expect(at("2026-11-29T02:00:00Z")).toBe(Date.parse("2026-11-29T02:00:00Z"));
    expect(at("2026-11-29T02:00:00.250Z")).toBe(Date.parse("2026-11-29T02:00:00.250Z"));
    expect(at("2026-11-29T03:30:00+01:30")).toBe(Date.parse("2026-11-29T02:00:00Z"));
    expect(at("2026-11-28T21:00:00-05:00")).toBe(Date.parse("2026-11-29T02:00:00Z"));
    expect(at("2028-02-29T00:00:00Z")).toBe(Date.parse("2028-02-29T00:00:00Z"));
  });

  it("refuses days that do not exist instead of rolling over into the next month", () => {
    expect(() => at("2026-02-30T02:00:00Z")).toThrow(
      '--at "2026-02-30T02:00:00Z" is not a date: 2026-02 has 28 days; use YYYY-MM-DD (midnight UTC) or ' +
        "YYYY-MM-DDThh:mm[:ss[.sss]] with Z or ±hh:mm, e.g. 2026-11-29T02:00:00Z",
    );
    expect(() => at("2026-02-29")).toThrow("2026-02 has 28 days");
    expect(() => at("2026-04-31T00:00:00Z")).toThrow("2026-04 has 30 days");
    expect(() => at("2026-13-01T00:00:00Z")).toThrow("has no month 13");
    expect(() => at("2026-00-10")).toThrow("has no month 00");
    expect(() => at("2026-01-00")).toThrow("is not a date");
  });

  it("refuses impossible clock times and times without a zone", () => {
    expect(() => at("2026-11-29T24:00:00Z")).toThrow("has no hour 24 (00-23)");
    expect(() => at("2026-11-29T02:60:00Z")).toThrow("has no minute 60");
    expect(() => at("2026-11-29T02:00:61Z")).toThrow("has no second 61");
    expect(() => at("2026-11-29T02:00:00+25:00")).toThrow("has no offset +25:00");
    expect(() => at("2026-11-29T02:00:00")).toThrow("has no time zone");
  });

  it("refuses other text, and durations unless asked for", () => {
    expect(() => at("yesterday")).toThrow('--at "yesterday" is not a time; use YYYY-MM-DD');
    expect(() => at("1h")).toThrow("is not a time");
    expect(() => at("Nov 29 2026")).toThrow("is not a time");
    expect(() => at("1h", true)).not.toThrow();
    expect(() => at("yesterday", true)).toThrow(
      '--at "yesterday" is neither a duration nor a time; use a duration (30s, 10m, 1h, 2d, 1w) or YYYY-MM-DD',
    );
  });

  it("durations count back from now", () => {
    const now = Date.parse("2026-11-23T10:00:00Z");
    expect(at("90s", true)).toBe(now - 90_000);
    expect(at("1w", true)).toBe(now - 604_800_000);
  });
});
