/**
 * Bad values are refused before anything happens: an impossible date in any time option (today's
 * `new Date` would roll 30 February over into March and really trigger the scrapers), a region that
 * does not exist, and a region where no stack is deployed (said in one line instead of a screen of
 * half a stack). Another region or another account of the same emulator holds none of the stack: every
 * emulator service, DynamoDB included, keeps its state per account and region, as AWS does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, awsCliAvailable, awsCliJson } from "../helpers/aws-cli.js";
import { bundleCli, removeCliBundle, runCli, type CliRun } from "../helpers/cli-bundle.js";
import { PROJECT_ROOT, startDeployedStack, type DeployedStack } from "../helpers/deployed-stack.js";
import { freePort } from "../helpers/ports.js";

let cli: string;
let deployed: DeployedStack;
const work = mkdtempSync(join(tmpdir(), "pipeline-e2e-values-"));

async function pipeline(args: string[], cwd = work, env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(cli, args, {
    cwd,
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: work,
      PIPELINE_TARGET: "local",
      // A port of its own: a command that got past its parsing would start an emulator there.
      PIPELINE_EMULATOR_PORT: String(await freePort()),
      PIPELINE_FIXTURES_PORT: String(await freePort()),
      PIPELINE_EMULATOR_PERSIST_DIR: join(work, "state"),
      ...env,
    },
  });
}

const FORMS = "YYYY-MM-DD (midnight UTC) or YYYY-MM-DDThh:mm[:ss[.sss]] with Z or ±hh:mm";

beforeAll(async () => {
  [cli, deployed] = await Promise.all([bundleCli("e2e-values"), startDeployedStack({ rosterSize: 3 })]);
}, 240_000);

afterAll(async () => {
  await deployed?.stop();
  removeCliBundle(cli);
  rmSync(work, { recursive: true, force: true });
});

describe("impossible dates, in every time option", () => {
  const cases: [string[], string][] = [
    [
      ["schedule", "trigger", "--scheduled-time", "2026-02-30T02:00:00Z"],
      `pipeline: --scheduled-time "2026-02-30T02:00:00Z" is not a date: 2026-02 has 28 days; use ${FORMS}, e.g. 2026-11-29T02:00:00Z`,
    ],
    [
      ["schedule", "trigger", "--direct", "--scheduled-time", "2026-11-29T25:00:00Z"],
      `pipeline: --scheduled-time "2026-11-29T25:00:00Z" has no hour 25 (00-23); use ${FORMS}, e.g. 2026-11-29T02:00:00Z`,
    ],
    [
      ["logs", "tail", "--since", "2026-04-31"],
      `pipeline: --since "2026-04-31" is not a date: 2026-04 has 30 days; use a duration (30s, 10m, 1h, 2d, 1w) or ${FORMS}, e.g. 1h or 2026-11-23T09:00:00Z`,
    ],
    [
      ["logs", "tail", "--since", "yesterday"],
      `pipeline: --since "yesterday" is neither a duration nor a time; use a duration (30s, 10m, 1h, 2d, 1w) or ${FORMS}, e.g. 1h or 2026-11-23T09:00:00Z`,
    ],
    [
      ["logs", "tail", "--since", "99999d"],
      `pipeline: --since "99999d" reaches before 1970-01-01, where no log event is; use a shorter duration or a later time, e.g. 1w or 2026-11-23T09:00:00Z`,
    ],
    [
      ["events", "generate", "scheduled", "--time", "2026-02-29T02:00:00"],
      `pipeline: --time "2026-02-29T02:00:00" is not a date: 2026-02 has 28 days; use ${FORMS}, e.g. 2026-08-02T02:00:00Z`,
    ],
    [
      ["events", "generate", "scheduled", "--time", "2028-02-29T02:00:00"],
      `pipeline: --time "2028-02-29T02:00:00" has no time zone (a time without one would be read in this machine's zone); use ${FORMS}, e.g. 2026-08-02T02:00:00Z`,
    ],
  ];
  for (const [args, line] of cases) {
    it(`${args.join(" ")}: exit 2 before touching the target`, async () => {
      const run = await pipeline(args);
      expect(run.stderr.trim()).toBe(line);
      // Nothing was started, nothing invoked: the value was refused first.
      expect(run.stderr).not.toContain("started the embedded emulator");
      expect(run.stdout).toBe("");
      expect(run.code).toBe(2);
    });
  }
});

describe("regions", () => {
  it("a region that does not exist: exit 2, the region meant and the regions there are", async () => {
    const run = await pipeline(["status", "--region", "us-eats-1"]);
    expect(run.stderr.trim()).toMatch(
      /^pipeline: invalid configuration for target local: region = "us-eats-1" \(from flag --region\): not an AWS region \(did you mean us-east-1\?\); regions: af-south-1, .*, us-east-1, .*us-gov-west-1$/,
    );
    expect(run.code).toBe(2);
  });

  const url = () => deployed.emulator.url;
  const noStack =
    "pipeline: no pipeline stack in account 000000000000, region us-west-2 (target local): none of its " +
    "functions, rules, queues or mappings exist there; deploy it (pipeline deploy --region us-west-2) or " +
    "choose the region it was deployed to with --region (env AWS_REGION)";

  it("status in a region without the stack: says so in one line, exit 1 (the stack's own region shows it)", async () => {
    const other = await pipeline(["status", "--region", "us-west-2", "--endpoint-url", url()]);
    expect(other.stderr.trim()).toBe(noStack);
    expect(other.stdout).toBe("");
    expect(other.code).toBe(1);

    const home = await pipeline(["status", "--region", deployed.emulator.region, "--endpoint-url", url()]);
    expect(home.stdout).toContain("scraper-tmdb");
    expect(home.code).toBe(0);
  });

  it("status --json in that region still prints the data, then the line and exit 1", async () => {
    const run = await pipeline(["status", "--json", "--region", "us-west-2", "--endpoint-url", url()]);
    const status = JSON.parse(run.stdout) as {
      region: string;
      functions: { state: string }[];
      table: { name: string; exists: boolean };
    };
    expect(status.region).toBe("us-west-2");
    expect(status.functions.every((fn) => fn.state === "missing")).toBe(true);
    // The table too (the emulator's DynamoDB once showed the default region's table everywhere).
    expect(status.table).toMatchObject({ name: deployed.stack.table.name, exists: false });
    expect(run.stderr.trim()).toBe(noStack);
    expect(run.code).toBe(1);
  });

  it.skipIf(!awsCliAvailable)(
    "another account on the same emulator has none of the stack: no table, no functions, no queues",
    { timeout: 120_000 },
    async () => {
      const region = { AWS_DEFAULT_REGION: deployed.emulator.region };
      const other = { ...region, AWS_ACCESS_KEY_ID: "222222222222" };
      const tables = (env: Record<string, string>) =>
        awsCliJson<{ TableNames: string[] }>(url(), ["dynamodb", "list-tables"], env);
      expect((await tables(region)).TableNames).toContain(deployed.stack.table.name);
      expect((await tables(other)).TableNames).toEqual([]);
      const functions = await awsCliJson<{ Functions: unknown[] }>(
        url(),
        ["lambda", "list-functions"],
        other,
      );
      expect(functions.Functions).toEqual([]);
      const queues = await awsCli(url(), ["sqs", "list-queues"], other);
      // With no queue at all the CLI prints nothing.
      expect([queues.exitCode, queues.stdout.trim()]).toEqual([0, ""]);
    },
  );

  it("status in another account of the same emulator (PIPELINE_ACCOUNT): that account's (empty) view, exit 1", async () => {
    // The CLI acts in the configured account (a 12-digit access key id, as the emulator and LocalStack
    // read it); it once labelled the default account's stack with the configured id.
    const run = await pipeline(["status", "--json", "--endpoint-url", url()], work, {
      PIPELINE_ACCOUNT: "222222222222",
    });
    const status = JSON.parse(run.stdout) as { account: string; table: { exists: boolean } };
    expect(status).toMatchObject({ account: "222222222222", table: { exists: false } });
    expect(run.stderr.trim()).toBe(
      noStack.replace("000000000000", "222222222222").replaceAll("us-west-2", deployed.emulator.region),
    );
    expect(run.code).toBe(1);
  });

  it("doctor in that region: the same line instead of 32 'declared but not deployed' errors", async () => {
    const run = await pipeline(["doctor", "--region", "us-west-2", "--endpoint-url", url()], PROJECT_ROOT);
    expect(run.stderr.trim().split("\n").at(-1)).toBe(noStack);
    expect(run.stdout).not.toContain("declared but not deployed");
    expect(run.code).toBe(1);
  });
});
