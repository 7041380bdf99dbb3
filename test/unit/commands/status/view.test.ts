/**
 * The status screen's rendering: the ink view (into a stream, as on a terminal) and the shared
 * sections that the plain output prints, from one fixed status.
 */
import { Writable } from "node:stream";
import { render } from "ink";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { padRows, statusSections } from "../../../../src/commands/status/sections.js";
import { StatusView } from "../../../../src/commands/status/view.js";
import type { PipelineStatus } from "../../../../src/runtime/status/index.js";

const status: PipelineStatus = {
  at: "2026-11-23T12:00:00.000Z",
  target: "local",
  account: "000000000000",
  region: "us-east-1",
  rules: [
    {
      key: "weekly",
      name: "celebrity-weekly-scrape",
      state: "ENABLED",
      schedule: "cron(0 2 ? * SUN *)",
      nextRun: "2026-11-29T02:00:00.000Z",
      nextRunIfEnabled: "2026-11-29T02:00:00.000Z",
      targets: 4,
    },
    {
      key: "manual",
      name: "celebrity-manual-scrape",
      state: "missing",
      schedule: undefined,
      nextRun: null,
      nextRunIfEnabled: null,
      targets: 0,
    },
  ],
  functions: [
    {
      key: "index-sync",
      name: "index-sync",
      state: "Active",
      lastUpdateStatus: "Successful",
      errors: 2,
      invocations: 9,
      lastError: { at: "2026-11-23T11:55:00.000Z", message: "ERROR Invoke Error boom" },
    },
  ],
  queues: [
    {
      name: "celebrity-scraper-dlq",
      feeds: ["a", "b"],
      exists: true,
      visible: 3,
      inFlight: 1,
      delayed: 0,
    },
  ],
  table: {
    name: "celebrity-database",
    exists: true,
    items: 400,
    withWeight: 396,
    withoutWeight: 4,
    runRecords: 8,
    roster: 100,
    activeRoster: 100,
    streamEnabled: true,
  },
  mappings: [
    {
      key: "post-processor",
      functionName: "post-processor",
      state: "Enabled",
      batchSize: 100,
      lastProcessingResult: "OK",
      stateTransitionReason: "USER_INITIATED",
    },
  ],
  index: { name: "celebrities", endpoint: "http://127.0.0.1:4599/os", exists: false, documents: null },
  alarms: [
    {
      name: "celebrity-scraper-dlq-messages",
      state: "ALARM",
      reason:
        "Threshold Crossed: 1 out of the last 1 datapoints [3.0 (23/11/26 11:58:00)] was greater than or equal to the threshold (1.0)",
      since: "2026-11-23T11:58:00.000Z",
      actions: 1,
    },
    {
      name: "celebrity-scraper-failures",
      state: "OK",
      reason: "ok",
      since: "2026-11-23T10:00:00.000Z",
      actions: 1,
    },
  ],
  alerts: { topic: "celebrity-pipeline-alerts", exists: true, confirmed: 0, pending: 1 },
};

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

class Screen extends Writable {
  frames: string[] = [];
  columns = 200;
  rows = 60;
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.frames.push(chunk.toString());
    done();
  }
}

describe("status sections", () => {
  it("one row per resource, missing ones marked, next run counted down", () => {
    const sections = statusSections(status);
    const text = (title: string) =>
      padRows(sections.find((section) => section.title === title)!).map((row) =>
        row
          .map((cell) => cell.text)
          .join("  ")
          .trimEnd(),
      );

    expect(text("Rules")).toEqual([
      "RULE                     STATE    SCHEDULE             NEXT RUN                              TARGETS",
      "celebrity-weekly-scrape  ENABLED  cron(0 2 ? * SUN *)  2026-11-29T02:00:00.000Z (in 5d 14h)  4",
      "celebrity-manual-scrape  missing  -                    -                                     -",
    ]);
    expect(text("Functions")[1]).toBe(
      "index-sync  Active  9                2           5m ago: ERROR Invoke Error boom",
    );
    expect(text("Table")[1]).toMatch(/^celebrity-database {2}100 active {2}400 +396 +4 +8 +enabled$/);
    expect(text("Search index")[1]).toMatch(/^celebrities {2}missing /);
    const alarms = text("Alarms");
    expect(alarms[1]).toMatch(/^celebrity-scraper-dlq-messages +ALARM +2m ago +1 +Threshold Crossed/);
    expect(alarms[3]).toMatch(
      /^topic celebrity-pipeline-alerts +0 subscribed, 1 pending .*pipeline alerts subscribe$/,
    );
  });
});

describe("StatusView (ink)", () => {
  it("renders every section with the status line", () => {
    const screen = new Screen();
    const app = render(createElement(StatusView, { status, error: undefined, intervalSeconds: 5 }), {
      stdout: screen as unknown as NodeJS.WriteStream,
      debug: true,
      patchConsole: false,
    });
    app.unmount();
    const frame = (screen.frames.filter((written) => written.trim()).at(-1) ?? "").replace(ANSI, "");

    expect(frame).toContain("pipeline status");
    expect(frame).toContain("every 5s, Ctrl-C to quit");
    for (const title of [
      "Rules",
      "Functions",
      "Failure queues",
      "Table",
      "Stream mappings",
      "Alarms",
      "Search index",
    ]) {
      expect(frame).toContain(`\n${title}\n`);
    }
    expect(frame).toContain("celebrity-scraper-dlq  3");
  });

  it("says it is reading before the first status, and shows a failed refresh", () => {
    const screen = new Screen();
    const app = render(
      createElement(StatusView, { status: undefined, error: undefined, intervalSeconds: 5 }),
      {
        stdout: screen as unknown as NodeJS.WriteStream,
        debug: true,
        patchConsole: false,
      },
    );
    app.rerender(createElement(StatusView, { status, error: "socket hang up", intervalSeconds: 5 }));
    app.unmount();
    const frames = screen.frames.filter((written) => written.trim()).map((frame) => frame.replace(ANSI, ""));

    expect(frames[0]).toContain("reading the pipeline's state");
    expect(frames.at(-1)).toContain("refresh failed: socket hang up");
  });
});
