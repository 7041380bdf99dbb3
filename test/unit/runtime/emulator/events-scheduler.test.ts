import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/runtime/emulator/core/clock.js";
import type { RuleRecord } from "../../../../src/runtime/emulator/services/events/models.js";
import { RuleScheduler } from "../../../../src/runtime/emulator/services/events/scheduler.js";

const rule = (extra: Partial<RuleRecord> = {}): RuleRecord => ({
  accountId: "000000000000",
  region: "us-east-1",
  eventBusName: "default",
  name: "weekly",
  arn: "arn:aws:events:us-east-1:000000000000:rule/weekly",
  scheduleExpression: "cron(0 2 ? * SUN *)",
  state: "ENABLED",
  scheduleAnchor: Date.UTC(2026, 10, 23, 9, 0, 0),
  targets: [],
  ...extra,
});

function setup(start = Date.UTC(2026, 10, 23, 9, 0, 0)) {
  const clock = new ManualClock(start);
  const fired: string[] = [];
  const scheduler = new RuleScheduler(
    clock,
    (r, at) => fired.push(`${r.name}@${new Date(at).toISOString()}`),
    (e) => {
      throw e;
    },
  );
  return { clock, fired, scheduler };
}

describe("rule scheduler", () => {
  it("fires a weekly cron at its instants and re-arms", async () => {
    const { clock, fired, scheduler } = setup();
    scheduler.arm(rule());
    expect(new Date(scheduler.next(rule()) ?? 0).toISOString()).toBe("2026-11-29T02:00:00.000Z");
    await clock.set(Date.UTC(2026, 10, 29, 1, 59, 59));
    expect(fired).toEqual([]);
    await clock.set(Date.UTC(2026, 11, 6, 2, 0, 0));
    expect(fired).toEqual(["weekly@2026-11-29T02:00:00.000Z", "weekly@2026-12-06T02:00:00.000Z"]);
  });

  it("fires rate() schedules from their anchor", async () => {
    const { clock, fired, scheduler } = setup();
    scheduler.arm(rule({ scheduleExpression: "rate(5 minutes)", scheduleAnchor: clock.now() }));
    await clock.advance(11 * 60_000);
    expect(fired).toEqual(["weekly@2026-11-23T09:05:00.000Z", "weekly@2026-11-23T09:10:00.000Z"]);
  });

  it("steps through fire times further away than a Node timer can wait", async () => {
    const { clock, fired, scheduler } = setup();
    scheduler.arm(rule({ scheduleExpression: "cron(0 0 1 1 ? *)" }));
    await clock.set(Date.UTC(2026, 11, 31, 23, 59, 0));
    expect(fired).toEqual([]);
    await clock.set(Date.UTC(2027, 0, 1, 0, 0, 0));
    expect(fired).toEqual(["weekly@2027-01-01T00:00:00.000Z"]);
  });

  it("a disabled, unscheduled or cancelled rule never fires", async () => {
    const { clock, fired, scheduler } = setup();
    scheduler.arm(rule({ state: "DISABLED" }));
    scheduler.arm(rule({ name: "pattern-only", scheduleExpression: undefined }));
    scheduler.arm(rule({ name: "cancelled" }));
    scheduler.cancel(rule({ name: "cancelled" }));
    expect(scheduler.armed).toBe(0);
    await clock.advance(14 * 86_400_000);
    expect(fired).toEqual([]);
  });

  it("re-arming replaces the previous timer (PutRule with a new expression)", async () => {
    const { clock, fired, scheduler } = setup();
    scheduler.arm(rule());
    scheduler.arm(rule({ scheduleExpression: "cron(30 9 * * ? *)" }));
    await clock.advance(86_400_000);
    expect(fired).toEqual(["weekly@2026-11-23T09:30:00.000Z"]);
  });

  it("stop() cancels everything", async () => {
    const { clock, fired, scheduler } = setup();
    scheduler.arm(rule());
    scheduler.stop();
    scheduler.arm(rule());
    await clock.advance(14 * 86_400_000);
    expect(fired).toEqual([]);
  });
});
