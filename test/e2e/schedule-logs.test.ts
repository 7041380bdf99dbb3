import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCRAPER_FUNCTION_KEYS } from "../../src/pipeline/stack/index.js";
import { stateDirFor } from "../../src/runtime/emulator-process/index.js";
import { recordPass } from "../../src/runtime/records/index.js";
import { bundleCli } from "../helpers/cli-bundle.js";
import { readLogGroup, startScheduleStack, waitFor, type ScheduleStack } from "../helpers/schedule-stack.js";

/**
 * `pipeline schedule …` and `pipeline logs tail …` as an operator runs them: the CLI as a process
 * (bundled), against an emulator holding the stack's rules and scraper functions, output not a TTY.
 */
describe("schedule and logs commands as a process", () => {
  let ctx: ScheduleStack;
  let cli: string;
  let work: string;

  const env = () => ({ PATH: process.env["PATH"] ?? "", HOME: work });
  const pipeline = (args: string[]) =>
    execa(process.execPath, [cli, ...args, "--endpoint-url", ctx.emulator.url], {
      cwd: work,
      env: env(),
      extendEnv: false,
      reject: false,
    });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "pipeline-schedule-e2e-"));
    [ctx, cli] = await Promise.all([startScheduleStack(), bundleCli("schedule-logs")]);
  }, 90_000);
  afterAll(async () => {
    await ctx?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("schedule status prints the rule and five fire times; --json is the same data", async () => {
    const plain = await pipeline(["schedule", "status"]);
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stdout).toContain("celebrity-weekly-scrape  DISABLED  cron(0 2 ? * SUN *)");
    expect(plain.stdout.match(/^ {2}\d{4}-\d{2}-\d{2}T02:00:00Z {2}Sunday$/gm)).toHaveLength(5);
    expect(plain.stdout).not.toContain("\u001b[");

    const json = await pipeline(["schedule", "status", "--json"]);
    expect(json.exitCode, json.stderr).toBe(0);
    const status = JSON.parse(json.stdout) as { nextFireTimes: string[]; schedule: { targets: unknown[] } };
    expect(status.nextFireTimes).toHaveLength(5);
    expect(status.schedule.targets).toHaveLength(4);
  });

  it("schedule enable refuses without a verification record, --force or a recorded pass enables, disable disables", async () => {
    const refused = await pipeline(["schedule", "enable"]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/no recent pass of phase 4A, 4B, 4C.*--force/);

    const forced = await pipeline(["schedule", "enable", "--force", "--json"]);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ after: "ENABLED", forced: true });

    const disabled = await pipeline(["schedule", "disable", "--json"]);
    expect(disabled.exitCode, disabled.stderr).toBe(0);
    expect(JSON.parse(disabled.stdout)).toMatchObject({ before: "ENABLED", after: "DISABLED" });

    // The record `pipeline verify` keeps in .pipeline/ under the working folder opens the gate.
    for (const phase of ["phase-4a", "phase-4b", "phase-4c"] as const) {
      recordPass(stateDirFor(work), {
        phase,
        target: "local",
        account: ctx.stack.params.account,
        region: ctx.stack.params.region,
        suffix: "",
        passedAt: new Date().toISOString(),
      });
    }
    const gated = await pipeline(["schedule", "enable", "--json"]);
    expect(gated.exitCode, gated.stderr).toBe(0);
    expect(JSON.parse(gated.stdout)).toMatchObject({ after: "ENABLED", forced: false, gate: { ok: true } });
    expect((await pipeline(["schedule", "disable"])).exitCode).toBe(0);
  });

  it("schedule trigger reaches the four scrapers; logs tail interleaves their groups by time", async () => {
    const trigger = await pipeline(["schedule", "trigger", "--json"]);
    expect(trigger.exitCode, trigger.stderr).toBe(0);
    expect(JSON.parse(trigger.stdout)).toMatchObject({ mode: "rule", rule: "celebrity-manual-scrape" });
    await waitFor(async () => {
      const logs = await Promise.all(
        SCRAPER_FUNCTION_KEYS.map((key) => readLogGroup(ctx.clients, ctx.stack.logGroups[key].name)),
      );
      return logs.every((lines) => lines.some((line) => line.startsWith("REPORT RequestId:")))
        ? true
        : undefined;
    }, "a complete invocation in every scraper's log group");

    const tail = await pipeline(["logs", "tail", "scraper-tmdb", "scraper-news", "--since", "10m", "--json"]);
    expect(tail.exitCode, tail.stderr).toBe(0);
    const events = tail.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { function: string; timestamp: string; message: string });
    expect(new Set(events.map((event) => event.function))).toStrictEqual(
      new Set(["scraper-tmdb", "scraper-news"]),
    );
    expect(events.filter((event) => event.message.startsWith("START RequestId:"))).toHaveLength(2);
    const times = events.map((event) => Date.parse(event.timestamp));
    expect(times).toStrictEqual([...times].sort((a, b) => a - b));

    const filtered = await pipeline([
      "logs",
      "tail",
      "--since",
      "10m",
      "--filter",
      "START",
      "scraper-social",
      "--format",
      "raw",
    ]);
    expect(filtered.exitCode, filtered.stderr).toBe(0);
    expect(filtered.stdout.trim().split("\n")).toHaveLength(1);
    expect(filtered.stdout).toMatch(/^scraper-social {2}\S+ {2}START RequestId:/);
  });

  it("logs tail refuses an unknown function, listing the valid names", async () => {
    const result = await pipeline(["logs", "tail", "scraper-imdb"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown function scraper-imdb");
    expect(result.stderr).toContain(
      "scraper-tmdb, scraper-wikipedia, scraper-news, scraper-social, post-processor, index-sync",
    );
  });

  it("logs tail --follow prints new events once and stops cleanly on Ctrl-C", async () => {
    const child: ResultPromise = execa(
      process.execPath,
      [
        cli,
        "logs",
        "tail",
        "scraper-wikipedia",
        "--follow",
        "--since",
        "10m",
        "--format",
        "raw",
        "--endpoint-url",
        ctx.emulator.url,
      ],
      { cwd: work, env: env(), extendEnv: false, reject: false },
    );
    let stdout = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const starts = () => stdout.split("\n").filter((line) => line.includes("START RequestId:"));
    await waitFor(async () => (starts().length >= 1 ? true : undefined), "the first run's START line");
    const before = starts().length;

    // A second run while following: its START line appears, once.
    const trigger = await pipeline([
      "schedule",
      "trigger",
      "--direct",
      "--scheduled-time",
      "2026-11-29T02:00:00Z",
    ]);
    expect(trigger.exitCode, trigger.stderr).toBe(0);
    await waitFor(async () => (starts().length > before ? true : undefined), "the second run's START line");
    // The stand-in scraper logs what it received: the weekly rule's exact Scheduled Event.
    const received = await waitFor(async () => {
      const line = stdout.split("\n").find((text) => text.includes('"Scheduled Event"'));
      return line
        ? (JSON.parse(line.slice(line.indexOf('{"received"'))) as { received: unknown }).received
        : undefined;
    }, "the scheduled event in the follow output");
    expect(received).toMatchObject({
      source: "aws.events",
      "detail-type": "Scheduled Event",
      time: "2026-11-29T02:00:00Z",
      resources: [ctx.stack.rules.weekly.arn],
      detail: {},
    });

    child.kill("SIGINT");
    const result = await child;
    // Ctrl-C is how a follow ends: polling stops, nothing is reported as an error, and the CLI uses
    // its exit code for an interrupted command (130), as for every command.
    expect(result.exitCode).toBe(130);
    expect(result.stderr).not.toMatch(/error/i);
    expect(new Set(starts()).size).toBe(starts().length);
    expect(starts()).toHaveLength(before + 1);
  }, 60_000);
});
