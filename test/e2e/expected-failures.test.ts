/**
 * Expected failures are the operator's to fix, so each ends with one line naming the endpoint or
 * value and the fix, and exit 2: never "unexpected error" (exit 70) or a hang. The CLI runs as a
 * process, as an operator runs it: nothing answering on the localstack target, the aws target
 * offline, a malformed `logs tail --filter`, an emulator state folder it cannot write.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateLogGroupCommand, CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../src/runtime/emulator/index.js";
import { bundleCli, removeCliBundle, runCli, type CliRun } from "../helpers/cli-bundle.js";
import { freePort } from "../helpers/ports.js";

let cli: string;
let emulator: Emulator;
const work = mkdtempSync(join(tmpdir(), "pipeline-e2e-failures-"));

function pipeline(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(cli, args, {
    cwd: work,
    env: { PATH: process.env["PATH"] ?? "", HOME: work, ...env },
  });
}

/** The one line the CLI printed for the failure (notes such as progress lines come before it). */
function lastLine(run: CliRun): string {
  return run.stderr.trim().split("\n").at(-1) ?? "";
}

beforeAll(async () => {
  [cli, emulator] = await Promise.all([bundleCli("e2e-failures"), createEmulator({ port: 0 })]);
  const logs = new CloudWatchLogsClient({
    endpoint: emulator.url,
    region: emulator.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/scraper-tmdb" }));
  logs.destroy();
});

afterAll(async () => {
  await emulator?.stop();
  removeCliBundle(cli);
  rmSync(work, { recursive: true, force: true });
});

describe("nothing answers on the localstack target", () => {
  const commands = [
    ["schedule", "status"],
    ["dlq", "list"],
    ["logs", "tail"],
    ["doctor"],
    ["status"],
    // deploy once named only the first resource it could not read; destroy tried all 47 first.
    ["deploy"],
    ["destroy", "--yes"],
  ];
  for (const command of commands) {
    it(`${command.join(" ")}: exit 2, the endpoint and how to start LocalStack`, async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const run = await pipeline([...command, "--target", "localstack", "--endpoint-url", closed]);
      expect(run.stderr).not.toContain("unexpected error");
      expect(lastLine(run)).toBe(
        `pipeline: cannot reach ${closed} (target localstack, ECONNREFUSED); ` +
          "start LocalStack (pipeline localstack up) or point --endpoint-url at it",
      );
      expect(run.code).toBe(2);
    });
  }
});

describe("the aws target offline", () => {
  it("a host that does not resolve (ENOTFOUND): exit 2, the host and what to check", async () => {
    const run = await pipeline(
      ["schedule", "status", "--target", "aws", "--endpoint-url", "http://pipeline.invalid"],
      {
        AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY: "secret",
      },
    );
    expect(run.stderr).not.toContain("unexpected error");
    expect(lastLine(run)).toMatch(
      /^pipeline: cannot reach http:\/\/pipeline\.invalid \(target aws, (ENOTFOUND|EAI_AGAIN)\); check --endpoint-url \(env AWS_ENDPOINT_URL\) and the network$/,
    );
    expect(run.code).toBe(2);
  });
});

describe("logs tail --filter", () => {
  it("a malformed pattern: exit 2, the pattern, CloudWatch's reason and the forms that work", async () => {
    const run = await pipeline(
      ["logs", "tail", "scraper-tmdb", "--filter", "{ $.level = ", "--endpoint-url", emulator.url],
      { PIPELINE_TARGET: "local", AWS_REGION: emulator.region },
    );
    expect(run.stderr).not.toContain("unexpected error");
    const line = lastLine(run);
    expect(line).toMatch(
      /^pipeline: --filter "\{ \$\.level = " is not a CloudWatch Logs filter pattern \(.+\); use a term \(ERROR\)/,
    );
    expect(line).toContain('a JSON pattern ({ $.level = "ERROR" })');
    expect(run.code).toBe(2);
  });
});

describe("emulator start on a state folder it cannot write", () => {
  it("a file where the folder should be: exit 2 at once, naming the folder and the flag", async () => {
    writeFileSync(join(work, "a-file"), "");
    const port = await freePort();
    const run = await pipeline(["emulator", "start", "--port", String(port), "--persist", "a-file/state"]);
    expect(lastLine(run)).toBe(
      `pipeline: cannot write the emulator's state folder ${join(work, "a-file", "state")} (a file is in the way, ENOTDIR); ` +
        "choose a folder you can write (--persist or emulator.persistDir; env PIPELINE_EMULATOR_PERSIST_DIR)",
    );
    expect(run.code).toBe(2);
  });

  it.skipIf(!existsSync("/proc/self"))(
    "a folder the file system will not make (under /proc): exit 2 at once, where it once spun a core forever",
    async () => {
      const port = await freePort();
      const run = await pipeline([
        "emulator",
        "start",
        "--port",
        String(port),
        "--persist",
        "/proc/pipeline-state",
      ]);
      expect(lastLine(run)).toBe(
        "pipeline: cannot write the emulator's state folder /proc/pipeline-state (the file system there makes no folders, ENOENT); " +
          "choose a folder you can write (--persist or emulator.persistDir; env PIPELINE_EMULATOR_PERSIST_DIR)",
      );
      expect(run.code).toBe(2);
    },
  );

  it("a folder whose files belong to someone else: exit 2 at once instead of failing (or hanging) at the first write", async () => {
    const state = join(work, "foreign-state");
    mkdirSync(join(state, "sqs"), { recursive: true });
    writeFileSync(join(state, "sqs", "journal.jsonl"), "");
    const port = await freePort();
    const args = ["emulator", "start", "--port", String(port), "--persist", state];
    let result: { code: number | null; stderr: string };
    if (process.getuid?.() === 0) {
      // root may write anything: run the CLI as an unprivileged user, for whom the files are read-only.
      chmodSync(work, 0o755);
      const run = spawnSync(
        "setpriv",
        ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, cli, ...args],
        {
          cwd: work,
          env: { PATH: process.env["PATH"] ?? "", HOME: work },
          encoding: "utf8",
          timeout: 30_000,
        },
      );
      result = { code: run.status, stderr: run.stderr };
    } else {
      chmodSync(join(state, "sqs", "journal.jsonl"), 0o444);
      chmodSync(join(state, "sqs"), 0o555);
      const run = await pipeline(args);
      result = run;
    }
    expect(result.stderr.trim().split("\n").at(-1)).toMatch(
      new RegExp(
        `^pipeline: cannot write the emulator's state folder ${state.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} \\(.*sqs.*: permission denied, EACCES\\); .* or fix its permissions$`,
      ),
    );
    expect(result.code).toBe(2);
  });
});
