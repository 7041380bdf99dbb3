/**
 * The status screen's rendering: the ink view (into a stream, as on a terminal) and the shared
 * sections that the plain output prints, from one fixed status.
 */
import { PassThrough, Writable } from "node:stream";
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
      lastError: {
        at: "2026-11-23T11:55:00.000Z",
        message:
          '2026-11-23T11:55:00.000Z\t1f0c2a4e-0000-4000-8000-000000000001\tERROR\tInvoke Error \t{"errorType":"RetryableError","errorMessage":"index-sync batch failed: bulk request to http://127.0.0.1:4599/opensearch: connect ECONNREFUSED 127.0.0.1:4599"}',
        cause:
          "Invoke Error: RetryableError: index-sync batch failed: bulk request to http://127.0.0.1:4599/opensearch: connect ECONNREFUSED 127.0.0.1:4599",
      },
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
  workers: [
    {
      source: "news",
      queue: "celebrity-scrape-news",
      queueExists: true,
      visible: 30,
      inFlight: 2,
      functionName: "scraper-news",
      mappingState: "Enabled",
      maximumConcurrency: 2,
      lastProcessingResult: "OK",
    },
  ],
  latestRun: {
    runId: "weekly-1",
    plannedAt: "2026-11-23T11:00:00.000Z",
    sources: [
      {
        source: "tmdb",
        state: "complete",
        shards: 4,
        done: 4,
        failed: 0,
        pending: 0,
        retrying: 0,
        people: 100,
        written: 90,
        unchanged: 9,
        failedPeople: 1,
        peopleInFailedShards: 0,
        finishedAt: "2026-11-23T11:02:00.000Z",
        lastError: undefined,
      },
      {
        source: "news",
        state: "running",
        shards: 40,
        done: 7,
        failed: 1,
        pending: 32,
        retrying: 2,
        people: 1000,
        written: 175,
        unchanged: 0,
        failedPeople: 0,
        peopleInFailedShards: 25,
        finishedAt: undefined,
        lastError: "HTTP 500",
      },
    ],
  },
};

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

class Screen extends Writable {
  frames: string[] = [];
  columns = 200;
  rows = 80;
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
    expect(text("Functions")[1]).toBe("index-sync  Active  9                2           5m ago (below)");
    expect(text("Last errors")[1]).toBe(
      "index-sync  11:55:00Z  Invoke Error: RetryableError: index-sync batch failed: bulk request to " +
        "http://127.0.0.1:4599/opensearch: connect ECONNREFUSED 127.0.0.1:4599",
    );
    expect(text("Table")[1]).toMatch(/^celebrity-database {2}100 active {2}400 +396 +4 +8 +enabled$/);
    expect(text("Search index")[1]).toMatch(/^celebrities {2}missing /);
    // A run is one thing: per source, shards done / failed / pending and counts summed over shards.
    const run = text("Latest run weekly-1 (planned 60m ago)");
    expect(run[0]).toMatch(
      /^SOURCE +STATE +SHARDS DONE +FAILED +PENDING +WRITTEN +UNCHANGED +FAILED PEOPLE$/,
    );
    expect(run[1]).toMatch(/^tmdb +complete +4\/4 +0 +0 +90 +9 +1$/);
    expect(run[2]).toMatch(
      /^news +running +7\/40 +1 \(25 people, in the DLQ\) +32 \(2 retrying\) +175 +0 +0$/,
    );
    expect(text("Work queues")[1]).toMatch(/^celebrity-scrape-news +30 +2 +scraper-news Enabled, at most 2$/);
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

    expect(frame).toContain("status  local · 000000000000 · us-east-1 · 12:00:00Z");
    expect(frame).toContain("every 5s · Ctrl-C quits");
    for (const title of [
      "Rules",
      "Functions",
      "Last errors",
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

/** A terminal's keyboard: ink reads it in raw mode. */
class Keyboard extends PassThrough {
  isTTY = true;
  setRawMode(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

function terminal(columns: number, rows: number): Screen {
  const screen = new Screen();
  screen.columns = columns;
  screen.rows = rows;
  return screen;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("StatusView at 80x24", () => {
  it("every frame fits: at most 23 lines of at most 80 columns, the cause's root kept, the rest scrolled", async () => {
    const screen = terminal(80, 24);
    const app = render(createElement(StatusView, { status, error: undefined, intervalSeconds: 5 }), {
      stdout: screen as unknown as NodeJS.WriteStream,
      debug: true,
      patchConsole: false,
    });
    app.rerender(createElement(StatusView, { status, error: "socket hang up", intervalSeconds: 5 }));
    app.unmount();
    const frames = screen.frames.filter((written) => written.trim()).map((frame) => frame.replace(ANSI, ""));
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) {
      const lines = frame.replace(/\n$/, "").split("\n");
      expect(lines.length).toBeLessThanOrEqual(23);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    }
    const last = frames.at(-1)!;
    expect(last).toMatch(
      /^status {2}local · 000000000000 · us-east-1 · 12:00:00Z · every 5s · Ctrl-C quits\n/,
    );
    expect(last).toContain("refresh failed: socket hang up");
    // What does not fit is said, not silently cut.
    expect(last).toMatch(/lines 1-\d+ of \d+ · a taller terminal shows more/);
  });

  it("the cause of the last error keeps its root at 80 columns (continued under itself)", async () => {
    const screen = terminal(80, 60);
    const app = render(createElement(StatusView, { status, error: undefined, intervalSeconds: 5 }), {
      stdout: screen as unknown as NodeJS.WriteStream,
      debug: true,
      patchConsole: false,
    });
    app.unmount();
    const frame = (screen.frames.filter((written) => written.trim()).at(-1) ?? "").replace(ANSI, "");
    const lines = frame.split("\n");
    const at = lines.findIndex((line) => line.startsWith("index-sync  11:55:00Z"));
    expect(at).toBeGreaterThan(0);
    const cause = lines
      .slice(at, at + 3)
      .map((line, index) => (index === 0 ? line.slice("index-sync  11:55:00Z  ".length) : line.trim()))
      .join(" ");
    expect(cause).toContain("connect ECONNREFUSED 127.0.0.1:4599");
    expect(cause.startsWith("Invoke Error: RetryableError")).toBe(true);
  });

  it("redraws in place on a terminal (no clear-screen that leaves frames in the scrollback); keys scroll, q quits, Ctrl-C interrupts", async () => {
    const screen = terminal(80, 24);
    const keyboard = new Keyboard();
    let quits = 0;
    let interrupts = 0;
    const props = {
      status,
      error: undefined,
      intervalSeconds: 5,
      interactive: true,
      onQuit: () => (quits += 1),
      onInterrupt: () => (interrupts += 1),
    };
    const app = render(createElement(StatusView, props), {
      stdout: screen as unknown as NodeJS.WriteStream,
      stdin: keyboard as unknown as NodeJS.ReadStream,
      interactive: true,
      exitOnCtrlC: false,
      patchConsole: false,
    });
    for (let refresh = 0; refresh < 5; refresh += 1) {
      app.rerender(
        createElement(StatusView, {
          ...props,
          status: { ...status, at: `2026-11-23T12:00:0${refresh}.000Z` },
        }),
      );
      await settle();
    }
    keyboard.write("j");
    await settle();
    keyboard.write("q");
    await settle();
    keyboard.write("\u0003");
    await settle();
    app.unmount();
    const written = screen.frames.join("");
    // A frame as tall as the terminal scrolls its top rows into the scrollback at every redraw;
    // ESC[2J / ESC[3J / ESC c clear the screen (and with it push or wipe the scrollback).
    for (const frame of screen.frames) expect(frame.split("\n").length - 1).toBeLessThan(24);
    // eslint-disable-next-line no-control-regex
    expect(written).not.toMatch(/\u001b\[[23]J|\u001bc/);
    expect(written).toContain("lines 2-");
    expect(written).toContain("↑/↓ PgUp/PgDn scroll · q quits");
    expect(quits).toBe(1);
    expect(interrupts).toBe(1);
  });
});
