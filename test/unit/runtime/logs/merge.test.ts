import { describe, expect, it } from "vitest";
import { interleave, TailCursor, type TailEvent } from "../../../../src/runtime/logs/index.js";

function event(group: string, eventId: string, timestamp: number, ingestionTime = timestamp): TailEvent {
  return {
    function: group,
    logGroupName: `/aws/lambda/${group}`,
    timestamp,
    ingestionTime,
    stream: "2026/11/23/[$LATEST]0123",
    message: `${group} ${eventId}`,
    eventId,
  };
}

describe("interleave", () => {
  it("orders several groups' events by timestamp, then ingestion time, then group order", () => {
    // Prepare
    const a = [event("a", "a1", 100), event("a", "a2", 300), event("a", "a3", 300, 310)];
    const b = [event("b", "b1", 50), event("b", "b2", 300, 305), event("b", "b3", 400)];
    // Act
    const merged = interleave([a, b]);
    // Assess
    expect(merged.map((e) => e.eventId)).toStrictEqual(["b1", "a1", "a2", "b2", "a3", "b3"]);
  });

  it("keeps a group's own order for events with equal timestamp and ingestion time", () => {
    const merged = interleave([[event("a", "x", 5), event("a", "y", 5)], [event("b", "z", 5)]]);
    expect(merged.map((e) => e.eventId)).toStrictEqual(["x", "y", "z"]);
  });
});

describe("TailCursor", () => {
  it("starts every group at the since instant", () => {
    const cursor = new TailCursor(1_000, 30_000);
    expect(cursor.startTimeFor("/aws/lambda/a")).toBe(1_000);
  });

  it("drops events already emitted when the next poll rereads them", () => {
    // Prepare
    const cursor = new TailCursor(0, 10_000);
    const group = "/aws/lambda/a";
    const first = [event("a", "1", 100_000), event("a", "2", 101_000)];
    // Act
    const emittedFirst = cursor.accept(group, first);
    const emittedSecond = cursor.accept(group, [...first, event("a", "3", 102_000)]);
    // Assess
    expect(emittedFirst.map((e) => e.eventId)).toStrictEqual(["1", "2"]);
    expect(emittedSecond.map((e) => e.eventId)).toStrictEqual(["3"]);
  });

  it("reaches back a window behind the newest event, so a late event with an older timestamp is emitted once", () => {
    // Prepare
    const cursor = new TailCursor(0, 10_000);
    const group = "/aws/lambda/a";
    cursor.accept(group, [event("a", "new", 200_000)]);
    // Act: the next poll starts 10 s before the newest event and finds one that arrived late
    const start = cursor.startTimeFor(group);
    const late = cursor.accept(group, [event("a", "late", 195_000), event("a", "new", 200_000)]);
    const again = cursor.accept(group, [event("a", "late", 195_000), event("a", "new", 200_000)]);
    // Assess
    expect(start).toBe(190_000);
    expect(late.map((e) => e.eventId)).toStrictEqual(["late"]);
    expect(again).toStrictEqual([]);
  });

  it("never starts a poll before the since instant", () => {
    const cursor = new TailCursor(150_000, 60_000);
    cursor.accept("g", [event("a", "1", 160_000)]);
    expect(cursor.startTimeFor("g")).toBe(150_000);
  });

  it("forgets ids older than the window, so memory stays bounded during a long follow", () => {
    // Prepare
    const cursor = new TailCursor(0, 1_000);
    // Act
    for (let i = 0; i < 100; i += 1) cursor.accept("g", [event("a", `e${i}`, i * 500)]);
    // Assess: only events within 1 s of the newest (49,500 ms) are remembered
    expect(cursor.remembered("g")).toBe(3);
  });

  it("keeps groups apart: the same event id in two groups is two events", () => {
    const cursor = new TailCursor(0);
    expect(cursor.accept("g1", [event("a", "same", 10)])).toHaveLength(1);
    expect(cursor.accept("g2", [event("b", "same", 10)])).toHaveLength(1);
  });
});
