import { describe, expect, it } from "vitest";
import {
  nextFireTimes,
  parseScheduleExpression,
  ScheduleExpressionError,
} from "../../../../src/runtime/emulator/services/events/schedule-expression.js";

// Expected dates were checked against an independent calendar (GNU date): 2026-11-23 is a Monday,
// 2026-08-01 and 2026-08-15 are Saturdays, 2026-05-31 is a Sunday, 2026-01-31 a Saturday.
const fires = (expression: string, after: string, count: number, anchor?: string) =>
  nextFireTimes(expression, new Date(after), count, anchor ? new Date(anchor) : undefined).map((d) =>
    d.toISOString(),
  );

describe("cron(): weekly and stepped schedules", () => {
  it("cron(0 2 ? * SUN *) fires at 02:00 UTC every Sunday", () => {
    expect(fires("cron(0 2 ? * SUN *)", "2026-11-23T09:00:00Z", 3)).toEqual([
      "2026-11-29T02:00:00.000Z",
      "2026-12-06T02:00:00.000Z",
      "2026-12-13T02:00:00.000Z",
    ]);
  });

  it("day-of-week 1 is Sunday (not Monday as in Unix cron)", () => {
    expect(fires("cron(0 2 ? * 1 *)", "2026-11-23T09:00:00Z", 1)).toEqual(["2026-11-29T02:00:00.000Z"]);
    expect(fires("cron(0 2 ? * 7 *)", "2026-11-23T09:00:00Z", 1)).toEqual(["2026-11-28T02:00:00.000Z"]);
  });

  it("is strictly after the given instant, to the minute", () => {
    expect(fires("cron(0 2 ? * SUN *)", "2026-11-29T02:00:00Z", 1)).toEqual(["2026-12-06T02:00:00.000Z"]);
    expect(fires("cron(0 2 ? * SUN *)", "2026-11-29T01:59:59.999Z", 1)).toEqual(["2026-11-29T02:00:00.000Z"]);
  });

  it("steps: 0/15 in minutes", () => {
    expect(fires("cron(0/15 * * * ? *)", "2026-01-01T00:07:30Z", 4)).toEqual([
      "2026-01-01T00:15:00.000Z",
      "2026-01-01T00:30:00.000Z",
      "2026-01-01T00:45:00.000Z",
      "2026-01-01T01:00:00.000Z",
    ]);
    expect(fires("cron(5/20 * * * ? *)", "2026-01-01T00:00:00Z", 3)).toEqual([
      "2026-01-01T00:05:00.000Z",
      "2026-01-01T00:25:00.000Z",
      "2026-01-01T00:45:00.000Z",
    ]);
  });

  it("ranges and lists with names: MON-FRI, JAN,JUL", () => {
    expect(fires("cron(0 8 ? * MON-FRI *)", "2026-11-27T09:00:00Z", 2)).toEqual([
      "2026-11-30T08:00:00.000Z",
      "2026-12-01T08:00:00.000Z",
    ]);
    expect(fires("cron(0 0 1 JAN,JUL ? *)", "2026-02-01T00:00:00Z", 2)).toEqual([
      "2026-07-01T00:00:00.000Z",
      "2027-01-01T00:00:00.000Z",
    ]);
    expect(fires("cron(30 9 ? * mon *)", "2026-11-23T10:00:00Z", 1)).toEqual(["2026-11-30T09:30:00.000Z"]);
  });

  it("a range that wraps around the end of the field", () => {
    expect(fires("cron(0 22-1 * * ? *)", "2026-01-01T21:30:00Z", 5)).toEqual([
      "2026-01-01T22:00:00.000Z",
      "2026-01-01T23:00:00.000Z",
      "2026-01-02T00:00:00.000Z",
      "2026-01-02T01:00:00.000Z",
      "2026-01-02T22:00:00.000Z",
    ]);
  });

  it("the year field limits the schedule and can end it", () => {
    expect(fires("cron(0 0 1 1 ? 2027-2028)", "2026-06-01T00:00:00Z", 5)).toEqual([
      "2027-01-01T00:00:00.000Z",
      "2028-01-01T00:00:00.000Z",
    ]);
    expect(fires("cron(0 0 1 1 ? 2020)", "2026-06-01T00:00:00Z", 1)).toEqual([]);
  });
});

describe("cron(): L, W and #", () => {
  it("L in day-of-month is the last day, leap years included", () => {
    expect(fires("cron(0 12 L * ? *)", "2026-02-01T00:00:00Z", 2)).toEqual([
      "2026-02-28T12:00:00.000Z",
      "2026-03-31T12:00:00.000Z",
    ]);
    expect(fires("cron(0 12 L 2 ? *)", "2028-01-01T00:00:00Z", 1)).toEqual(["2028-02-29T12:00:00.000Z"]);
  });

  it("nW is the weekday nearest day n, within the month", () => {
    // 15 Aug 2026 is a Saturday → Friday 14th; 16 Aug is a Sunday → Monday 17th.
    expect(fires("cron(0 9 15W * ? *)", "2026-08-01T00:00:00Z", 1)).toEqual(["2026-08-14T09:00:00.000Z"]);
    expect(fires("cron(0 9 16W * ? *)", "2026-08-01T00:00:00Z", 1)).toEqual(["2026-08-17T09:00:00.000Z"]);
    // 1 Aug 2026 is a Saturday: the nearest weekday in August is Monday the 3rd, not 31 July.
    expect(fires("cron(0 9 1W * ? *)", "2026-07-31T12:00:00Z", 1)).toEqual(["2026-08-03T09:00:00.000Z"]);
    // 31 May 2026 is a Sunday: Friday the 29th, not 1 June.
    expect(fires("cron(0 9 31W * ? *)", "2026-05-01T00:00:00Z", 1)).toEqual(["2026-05-29T09:00:00.000Z"]);
  });

  it("LW is the last weekday of the month", () => {
    expect(fires("cron(0 0 LW * ? *)", "2026-01-01T00:00:00Z", 1)).toEqual(["2026-01-30T00:00:00.000Z"]);
  });

  it("5L in day-of-week is the last Thursday; L alone is Saturday", () => {
    expect(fires("cron(0 0 ? * 5L *)", "2026-11-01T00:00:00Z", 2)).toEqual([
      "2026-11-26T00:00:00.000Z",
      "2026-12-31T00:00:00.000Z",
    ]);
    expect(fires("cron(0 0 ? * L *)", "2026-11-23T00:00:00Z", 1)).toEqual(["2026-11-28T00:00:00.000Z"]);
  });

  it("3#2 is the second Tuesday", () => {
    expect(fires("cron(0 10 ? * 3#2 *)", "2026-11-01T00:00:00Z", 2)).toEqual([
      "2026-11-10T10:00:00.000Z",
      "2026-12-08T10:00:00.000Z",
    ]);
    expect(fires("cron(0 10 ? * TUE#2 *)", "2026-11-01T00:00:00Z", 1)).toEqual(["2026-11-10T10:00:00.000Z"]);
  });

  it("day 31 is skipped in shorter months", () => {
    expect(fires("cron(0 0 31 * ? *)", "2026-04-01T00:00:00Z", 2)).toEqual([
      "2026-05-31T00:00:00.000Z",
      "2026-07-31T00:00:00.000Z",
    ]);
  });
});

describe("rate()", () => {
  it("counts periods from the anchor, truncated to the minute", () => {
    expect(fires("rate(5 minutes)", "2026-01-01T10:03:20Z", 3, "2026-01-01T10:03:20Z")).toEqual([
      "2026-01-01T10:08:00.000Z",
      "2026-01-01T10:13:00.000Z",
      "2026-01-01T10:18:00.000Z",
    ]);
    expect(fires("rate(5 minutes)", "2026-01-01T10:14:00Z", 1, "2026-01-01T10:03:20Z")).toEqual([
      "2026-01-01T10:18:00.000Z",
    ]);
  });

  it("singular units for 1, plural for more", () => {
    expect(fires("rate(1 minute)", "2026-01-01T00:00:00Z", 2)).toEqual([
      "2026-01-01T00:01:00.000Z",
      "2026-01-01T00:02:00.000Z",
    ]);
    expect(fires("rate(1 hour)", "2026-01-01T00:00:00Z", 1)).toEqual(["2026-01-01T01:00:00.000Z"]);
    expect(fires("rate(2 days)", "2026-01-01T00:00:00Z", 1)).toEqual(["2026-01-03T00:00:00.000Z"]);
    expect(parseScheduleExpression("rate(12 hours)").kind).toBe("rate");
  });
});

describe("validation", () => {
  const reason = (expression: string) => {
    try {
      parseScheduleExpression(expression);
    } catch (error) {
      expect(error).toBeInstanceOf(ScheduleExpressionError);
      return (error as ScheduleExpressionError).reason;
    }
    throw new Error(`expected ${expression} to be refused`);
  };

  it("rate(): units, singular/plural, positive whole numbers", () => {
    expect(reason("rate(1 minutes)")).toMatch(/singular unit: rate\(1 minute\)/);
    expect(reason("rate(5 minute)")).toMatch(/plural unit: rate\(5 minutes\)/);
    expect(reason("rate(0 minutes)")).toMatch(/positive whole number/);
    expect(reason("rate(-1 minute)")).toMatch(/positive whole number/);
    expect(reason("rate(1.5 hours)")).toMatch(/positive whole number/);
    expect(reason("rate(5 seconds)")).toMatch(/unknown unit "seconds"/);
    expect(reason("rate(5)")).toMatch(/positive whole number and a unit/);
  });

  it("cron(): six fields and exactly one ?", () => {
    expect(reason("cron(0 2 * * SUN)")).toMatch(/takes 6 fields.*got 5/);
    expect(reason("cron(0 2 * * * *)")).toMatch(/exactly one of day-of-month and day-of-week must be \?/);
    expect(reason("cron(0 2 ? * ? *)")).toMatch(/exactly one/);
    expect(reason("cron(0 2 1 * SUN *)")).toMatch(/exactly one/);
  });

  it("cron(): field ranges and syntax", () => {
    expect(reason("cron(60 2 ? * SUN *)")).toMatch(/Minutes: 60 is out of range \(0-59\)/);
    expect(reason("cron(0 24 ? * SUN *)")).toMatch(/Hours: 24 is out of range/);
    expect(reason("cron(0 2 32 * ? *)")).toMatch(/Day-of-month: 32 is out of range/);
    expect(reason("cron(0 2 1 13 ? *)")).toMatch(/Month: 13 is out of range \(1-12 or JAN-DEC\)/);
    expect(reason("cron(0 2 ? * 0 *)")).toMatch(/Day-of-week: 0 is out of range \(1-7 or SUN-SAT\)/);
    expect(reason("cron(0 2 ? * 8 *)")).toMatch(/Day-of-week: 8 is out of range/);
    expect(reason("cron(0 2 1 * ? 2200)")).toMatch(/Year: 2200 is out of range/);
    expect(reason("cron(0 2 ? * SUNDAY *)")).toMatch(/"SUNDAY" is not a value/);
    expect(reason("cron(0 2 ? * 1/2 *)")).toMatch(/Day-of-week does not allow \/ increments/);
    expect(reason("cron(0/0 2 ? * SUN *)")).toMatch(/bad increment/);
    expect(reason("cron(0,,5 2 ? * SUN *)")).toMatch(/empty list item/);
    expect(reason("cron(0 2 L-3 * ? *)")).toMatch(/Day-of-month: "L-3" is not valid/);
  });

  it("cron(): # rules", () => {
    expect(reason("cron(0 2 ? * 3#2,5#1 *)")).toMatch(/only one # expression/);
    expect(reason("cron(0 2 ? * 3#6 *)")).toMatch(/occurrence 1-5/);
  });

  it("neither rate() nor cron()", () => {
    expect(reason("every sunday")).toMatch(/expected rate/);
    expect(reason("cron(0 2 ? * SUN *")).toMatch(/expected rate/);
  });

  it("the error message names the expression", () => {
    expect(() => parseScheduleExpression("rate(5 minute)")).toThrow(
      "rate(5 minute) is not a valid schedule expression: a value above 1 takes the plural unit: rate(5 minutes)",
    );
  });
});
