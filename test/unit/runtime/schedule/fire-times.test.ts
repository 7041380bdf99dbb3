import { describe, expect, it } from "vitest";
import { OperatorError } from "../../../../src/runtime/config/errors.js";
import { upcomingFireTimes } from "../../../../src/runtime/schedule/index.js";

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe("upcomingFireTimes", () => {
  it("gives the next five Sundays 02:00 UTC for the weekly cron from a Monday", () => {
    // Prepare: Monday 23 November 2026, 11:00 UTC
    const after = new Date("2026-11-23T11:00:00Z");
    // Act
    const times = upcomingFireTimes("cron(0 2 ? * SUN *)", after);
    // Assess
    expect(iso(times)).toStrictEqual([
      "2026-11-29T02:00:00.000Z",
      "2026-12-06T02:00:00.000Z",
      "2026-12-13T02:00:00.000Z",
      "2026-12-20T02:00:00.000Z",
      "2026-12-27T02:00:00.000Z",
    ]);
    expect(times.every((time) => time.getUTCDay() === 0)).toBe(true);
  });

  it("counts a Sunday before 02:00 and skips the instant itself (strictly after)", () => {
    expect(iso(upcomingFireTimes("cron(0 2 ? * SUN *)", new Date("2026-11-29T01:59:59Z"), 1))).toStrictEqual([
      "2026-11-29T02:00:00.000Z",
    ]);
    expect(iso(upcomingFireTimes("cron(0 2 ? * SUN *)", new Date("2026-11-29T02:00:00Z"), 1))).toStrictEqual([
      "2026-12-06T02:00:00.000Z",
    ]);
  });

  it("crosses a year end and counts in UTC", () => {
    expect(
      iso(upcomingFireTimes("cron(30 23 31 12 ? *)", new Date("2026-06-01T00:00:00Z"), 2)),
    ).toStrictEqual(["2026-12-31T23:30:00.000Z", "2027-12-31T23:30:00.000Z"]);
  });

  it("counts rate() periods from the anchor, or from the given instant without one", () => {
    const after = new Date("2026-11-23T11:00:00Z");
    expect(iso(upcomingFireTimes("rate(6 hours)", after, 3))).toStrictEqual([
      "2026-11-23T17:00:00.000Z",
      "2026-11-23T23:00:00.000Z",
      "2026-11-24T05:00:00.000Z",
    ]);
    expect(iso(upcomingFireTimes("rate(1 day)", after, 2, new Date("2026-11-20T08:15:00Z")))).toStrictEqual([
      "2026-11-24T08:15:00.000Z",
      "2026-11-25T08:15:00.000Z",
    ]);
  });

  it("refuses an invalid expression with an operator error naming it", () => {
    expect(() => upcomingFireTimes("cron(0 2 * * SUN *)", new Date())).toThrow(OperatorError);
    expect(() => upcomingFireTimes("rate(5 fortnights)", new Date())).toThrow(/rate\(5 fortnights\)/);
  });
});
