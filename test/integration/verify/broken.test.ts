/**
 * A verify that cannot fail is not a verify: one deployed stack, broken on purpose one way at a
 * time, and the phase must stop at the right gate with a diagnosis that names the cause and the
 * fixing command. Each test repairs what it broke (the deploy engine converges the stack again).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { RemoveTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HANDLER_ENV } from "../../../src/pipeline/stack/index.js";
import { deployStack } from "../../../src/runtime/deploy/index.js";
import {
  PHASES,
  createStackDeployer,
  createVerifyEnv,
  runPhase,
  type CheckResult,
  type PhaseDefinition,
  type PhaseResult,
  type VerifyEnv,
  waitFor,
} from "../../../src/runtime/verify/index.js";
import { startDeployedStack, type DeployedStack } from "../../helpers/deployed-stack.js";
import { runVerifyCli } from "../../helpers/verify-cli.js";

let deployed: DeployedStack;
let stateDir: string;
let env: VerifyEnv;

beforeAll(async () => {
  // A news shard that fails is received again at once: the 500s test waits for its 5 receives.
  deployed = await startDeployedStack({ configFile: { sources: { news: { shardRetrySeconds: 0 } } } });
  stateDir = mkdtempSync(join(tmpdir(), "verify-broken-"));
  const { config } = deployed.config;
  env = createVerifyEnv({
    clients: deployed.clients,
    // Short deadlines: a broken stack must fail quickly, a healthy one is far inside them.
    config: {
      ...config,
      verify: {
        ...config.verify,
        deadlines: { scrapeSeconds: 60, postProcessingSeconds: 20, indexSyncSeconds: 8 },
      },
    },
    stack: deployed.stack,
    account: deployed.stack.params.account,
    stateDir,
    deployer: createStackDeployer(deployed.clients),
  });
}, 120_000);

afterAll(async () => {
  await deployed?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

const phase = (name: keyof typeof PHASES) => PHASES[name] as unknown as PhaseDefinition<unknown>;

/** The one failed check of a failed phase; on a surprise the assertion shows the whole result. */
function gate(result: PhaseResult, id: string): CheckResult {
  const summary = JSON.stringify(result.checks, null, 1);
  expect(result.status, summary).toBe("failed");
  const failed = result.checks.filter((check) => check.status === "failed");
  expect(
    failed.map((check) => check.id),
    summary,
  ).toEqual([id]);
  return failed[0]!;
}

const findingsText = (check: CheckResult) =>
  check.diagnosis.map(
    (f) => `${f.ok ? "ok" : "PROBLEM"} ${f.subject}: ${f.found}${f.fix ? ` fix: ${f.fix}` : ""}`,
  );

async function repair(): Promise<void> {
  await deployStack(deployed.context);
}

describe("verify fails at the right gate with the right diagnosis", () => {
  it("4A: a rule with a missing target stops at the targets check, before any trigger", async () => {
    const { stack } = deployed;
    const news = stack.functions["scraper-news"];
    const target = stack.rules.manual.targets.find((t) => t.Arn === news.arn)!;
    const eventbridge = await deployed.clients.eventbridge();
    await eventbridge.send(new RemoveTargetsCommand({ Rule: stack.rules.manual.name, Ids: [target.Id] }));
    try {
      const result = await runPhase(phase("4a"), env, () => {});
      const check = gate(result, "targets");
      expect(check.measured).toBe("4 targets on weekly, 3 targets on manual");
      expect(check.problems).toContain(`${stack.rules.manual.name} → ${target.Id}: target missing`);
      expect(findingsText(check)).toContain(
        `PROBLEM rule targets: ${stack.rules.manual.name} → ${target.Id}: target missing fix: pipeline deploy`,
      );
      // The function itself is fine: the diagnosis says so rather than guessing.
      expect(check.diagnosis.find((f) => f.subject === `function ${news.name}`)?.ok).toBe(true);
      expect(result.notRun.map((c) => c.id)).toEqual(["permissions", "trigger", "spread", "finished"]);
    } finally {
      await repair();
    }
  }, 60_000);

  it("4A/4B: a scraper whose source answers 500 stops at its run record, with its log errors", async () => {
    deployed.fixtures.setFaults({ perSource: { news: { "500": 1 } } });
    try {
      const result = await runPhase(phase("4a"), env, () => {});
      const check = gate(result, "finished");
      const news = deployed.stack.functions["scraper-news"].name;
      expect(check.measured).toMatch(/^3\/4 scrapers finished/);
      // Every news shard failed on each of its receives: the run is complete, its shards in the DLQ.
      expect(check.measured).toMatch(/, 12\/16 shards done, 4 failed /);
      expect(check.problems?.join("\n")).toMatch(
        new RegExp(
          `${news}: 4 of 4 shard\\(s\\) failed on every receive \\(100 people; shards 0, 1, 2, 3\\) and went to celebrity-scraper-dlq: .*HTTP 500`,
        ),
      );
      const text = findingsText(check).join("\n");
      expect(text).toContain(`ok function ${news}: Active`);
      expect(text).toMatch(
        new RegExp(`PROBLEM log group /aws/lambda/${news}: \\d+ ERROR line\\(s\\); latest: .*500`),
      );
      expect(text).toContain(`pipeline logs ${news} --since 15m`);

      // 4B invokes the scrapers directly (asynchronously): the same source stops it at the run
      // records, after the canary proved both stream consumers work.
      const streams = await runPhase(phase("4b"), env, () => {});
      const runRecords = gate(streams, "run-records");
      expect(streams.checks.find((c) => c.id === "canary")?.status).toBe("passed");
      expect(runRecords.reason).toMatch(
        /new message\(s\) in celebrity-scraper-dlq: a planner or a shard failed after its retries/,
      );
      expect(runRecords.problems?.join("\n")).toMatch(
        new RegExp(`${news}: 4 of 4 shard\\(s\\) failed on every receive`),
      );
      expect(findingsText(runRecords).join("\n")).toMatch(
        new RegExp(`PROBLEM log group /aws/lambda/${news}: \\d+ ERROR line\\(s\\); latest: .*500`),
      );
    } finally {
      deployed.fixtures.setFaults({});
    }
  }, 240_000);

  it("4B: a disabled stream mapping stops at the mappings check, with the command that enables it", async () => {
    const lambda = await deployed.clients.lambda();
    const postProcessor = deployed.stack.functions["post-processor"].name;
    const { EventSourceMappings } = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: postProcessor }),
    );
    const uuid = EventSourceMappings![0]!.UUID!;
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
    try {
      const result = await runPhase(phase("4b"), env, () => {});
      const check = gate(result, "mappings");
      expect(check.measured).toBe("1/2 mappings enabled as declared");
      expect(check.problems?.join("\n")).toMatch(
        new RegExp(`mapping ${postProcessor}: state Disabl(ed|ing)`),
      );
      const finding = check.diagnosis.find((f) => f.subject === `stream mapping of ${postProcessor}`)!;
      expect(finding.ok).toBe(false);
      expect(finding.fix).toContain(`aws lambda update-event-source-mapping --uuid ${uuid} --enabled`);

      // The command shows the same: the gate in the tree, the diagnosis with its fix, exit 1, JUnit.
      const run = await runVerifyCli(deployed, stateDir, ["phase-4b", "--junit", "junit-verify.xml"]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        "✖ 4B Streams · Stream mappings enabled, batch 100, LATEST, key-prefix filter",
      );
      expect(run.stdout).toContain("  measured: 1/2 mappings enabled as declared");
      expect(run.stdout).toMatch(new RegExp(`✖ stream mapping of ${postProcessor}: state Disabl(ed|ing)`));
      expect(run.stdout).toContain(`fix: aws lambda update-event-source-mapping --uuid ${uuid} --enabled`);
      expect(run.stdout).toMatch(/✖ verify phase-4b failed in 4B Streams: 1 failed, 1 passed/);
      expect(run.stderr).toContain('failed at phase-4b "Stream mappings enabled');
      const xml = readFileSync(join(stateDir, "junit-verify.xml"), "utf8");
      expect(xml).toMatch(
        /<failure message="stream mappings differ from the declaration">rule: both mappings/,
      );
      expect(xml).toContain('<skipped message="not run: an earlier check of the phase failed"/>');
    } finally {
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
      const enabled = await waitFor(env, {
        probe: async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State,
        done: (state) => state === "Enabled",
        deadlineMs: 30_000,
      });
      expect(enabled.value).toBe("Enabled");
    }
  }, 60_000);

  it("4B: an index-sync that cannot reach OpenSearch stops at the canary, naming the endpoint", async () => {
    const lambda = await deployed.clients.lambda();
    const indexSync = deployed.stack.functions["index-sync"].name;
    const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: indexSync }));
    const dead = "http://127.0.0.1:9/opensearch/us-east-1/celebrities";
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: indexSync,
        Environment: {
          Variables: {
            ...current.Environment!.Variables,
            [HANDLER_ENV.opensearchEndpoint]: dead,
            [HANDLER_ENV.opensearchMaxAttempts]: "1",
          },
        },
      }),
    );
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: indexSync });
    try {
      const result = await runPhase(phase("4b"), env, () => {});
      const check = gate(result, "canary");
      expect(check.measured).toMatch(/^post-processor [\d.]+ m?s, index-sync no document$/);
      const text = findingsText(check).join("\n");
      expect(text).toContain(`PROBLEM OpenSearch endpoint of index-sync: ${dead} cannot be reached`);
      expect(text).toContain(
        `PROBLEM function ${indexSync} environment: ${HANDLER_ENV.opensearchEndpoint} is "${dead}"`,
      );
    } finally {
      await repair();
    }
  }, 90_000);

  it("4B: a post-processor that throws on some records fails reconciliation, naming the keys", async () => {
    // Celebrity items the scrapers would never write (no source data): the post-processor's
    // completeness check throws on each, so they are never enriched.
    const ddb = await deployed.clients.dynamodb();
    const poison = Array.from({ length: 12 }, (_, i) => ({
      pk: `CELEB#poison-${String(i).padStart(2, "0")}`,
      sk: "SOURCE#news",
      source: "news",
      timestamp: new Date().toISOString(),
      contentHash: `poison-${i}`,
    }));
    for (const item of poison)
      await ddb.send(new PutItemCommand({ TableName: deployed.stack.table.name, Item: marshall(item) }));
    const result = await runPhase(phase("4b"), env, () => {});
    // Enrichment stays within the tolerance (the poison is 12 of 412), so the gate that catches
    // it is the reconciliation, which allows fewer than verify.incompleteMax items short.
    const check = gate(result, "reconcile");
    const text = [...(check.problems ?? []), ...findingsText(check)].join("\n");
    expect(text).toContain("CELEB#poison-00");
    expect(text).toMatch(
      /PROBLEM log group \/aws\/lambda\/[\w-]*post-processor: \d+ ERROR line\(s\); latest: .*record failed: CELEB#poison-\d\d\/SOURCE#news: .*cannot be enriched/,
    );
  }, 180_000);
});
