import { describe, expect, it } from "vitest";
import { defineStack } from "../../../../src/pipeline/stack/index.js";
import {
  declaredTopology,
  lintTopology,
  policyAllowsEventBridge,
  type Topology,
} from "../../../../src/runtime/doctor/index.js";
import { testStackParams } from "../../../helpers/stack-params.js";

const stack = defineStack(testStackParams());
const declared = (): Topology => structuredClone(declaredTopology(stack));
const codes = (topology: Topology) =>
  lintTopology(topology).map((problem) => `${problem.severity} ${problem.code}`);

describe("lintTopology", () => {
  it("the stack declaration follows every rule", () => {
    expect(lintTopology(declaredTopology(stack))).toEqual([]);
  });

  it("a function invoked asynchronously with neither destination nor DLQ is an error; no invoke config a warning", () => {
    const topology = declared();
    topology.asyncFunctions[0]!.eventInvokeConfig = undefined;
    topology.asyncFunctions[0]!.deadLetterArn = undefined;

    expect(codes(topology)).toEqual([
      "warning function-event-invoke-config",
      "error function-async-failure-route",
    ]);
  });

  it("a rule that may not invoke its target function is an error", () => {
    const topology = declared();
    topology.asyncFunctions[1]!.invokableByRules = [stack.rules.weekly.arn];

    expect(lintTopology(topology)).toEqual([
      expect.objectContaining({
        severity: "error",
        code: "function-rule-permission",
        message: expect.stringContaining(stack.rules.manual.arn) as unknown,
      }),
    ]);
  });

  it("a stream mapping with unbounded retries, no bisect, no partial failures and no destination", () => {
    const topology = declared();
    Object.assign(topology.mappings[0]!, {
      maximumRetryAttempts: -1,
      bisectBatchOnFunctionError: false,
      reportBatchItemFailures: false,
      onFailure: undefined,
      state: "Disabled",
    });

    expect(codes(topology)).toEqual([
      "warning mapping-state",
      "error mapping-retries",
      "warning mapping-bisect",
      "warning mapping-partial-failures",
      "error mapping-on-failure",
      // Its failure queue is no longer anybody's DLQ, and has no redrive of its own.
      "warning queue-redrive",
    ]);
  });

  it("a DLQ that keeps messages under 4 days, a DLQ gone, a queue without redrive, a log group without retention", () => {
    const topology = declared();
    const [scraperDlq, streamDlq] = topology.queues;
    scraperDlq!.retentionSeconds = 3600;
    topology.queues = [scraperDlq!, { ...streamDlq!, name: "work", arn: `${streamDlq!.arn}-work` }];
    topology.logGroups[0]!.retentionInDays = undefined;

    expect(codes(topology)).toEqual([
      "error mapping-on-failure-missing",
      "error mapping-on-failure-missing",
      "warning dlq-retention",
      "warning queue-redrive",
      "warning log-retention",
    ]);
  });

  it("a target DLQ whose policy does not let EventBridge write", () => {
    const topology = declared();
    topology.queues[0]!.allowsEventBridge = false;

    expect(codes(topology)).toEqual(Array(8).fill("error rule-target-dlq-policy"));
  });

  it("every declared alarm notifies the alerts topic", () => {
    for (const alarm of Object.values(stack.alarms)) {
      expect(alarm.definition.AlarmActions).toEqual([stack.topics.alerts.arn]);
    }
  });

  it("an alarm without an action, or with its actions disabled, is a warning; a missing topic an error", () => {
    const topology = declared();
    topology.alarms[0]!.alarmActions = [];
    topology.alarms[1]!.actionsEnabled = false;
    topology.topics = [];

    expect(codes(topology)).toEqual([
      "warning alarm-actions",
      "warning alarm-actions",
      "error alarm-action-topic-missing",
      "error alarm-action-topic-missing",
      "error alarm-action-topic-missing",
    ]);
  });

  it("an alerts topic nobody confirmed a subscription to is a warning naming pipeline alerts subscribe", () => {
    const topology = declared();
    topology.topics[0]!.confirmedSubscriptions = 0;
    const [problem] = lintTopology(topology);
    expect(problem).toMatchObject({ severity: "warning", code: "alerts-no-subscriber" });
    expect(problem!.fix).toContain("pipeline alerts subscribe");
    topology.topics[0]!.confirmedSubscriptions = 1;
    expect(lintTopology(topology)).toEqual([]);
  });
});

describe("lintTopology: keys in function environments", () => {
  it("a key in a scraper's environment is an error naming pipeline secrets set and deploy", () => {
    const topology = declared();
    const tmdb = topology.functionEnvironments.find(
      (fn) => fn.name === stack.functions["scraper-tmdb"].name,
    )!;
    tmdb.variables["SOURCE_API_KEY"] = "tmdb-secret-token";

    expect(lintTopology(topology)).toEqual([
      {
        severity: "error",
        code: "secret-in-environment",
        resource: { kind: "function", name: tmdb.name },
        message: `function ${tmdb.name}: environment variable SOURCE_API_KEY looks like a key (its name says it holds a secret): anyone allowed lambda:GetFunctionConfiguration reads it`,
        fix: "pipeline secrets set tmdb (the key goes to SSM Parameter Store), then pipeline deploy (it puts back the declared environment, without SOURCE_API_KEY)",
      },
    ]);
  });

  it("a key-shaped value under any name in a stream function is an error too, fixed by a deploy", () => {
    const topology = declared();
    const indexSync = topology.functionEnvironments.find(
      (fn) => fn.name === stack.functions["index-sync"].name,
    )!;
    indexSync.variables["EXTRA"] = "AKIAIOSFODNN7EXAMPLE";
    const [problem, ...rest] = lintTopology(topology);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ severity: "error", code: "secret-in-environment" });
    expect(problem!.fix).toBeUndefined(); // doctor gives it the deploy fix
  });
});

describe("policyAllowsEventBridge", () => {
  it("reads the principal and action of each statement", () => {
    const policy = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

    expect(policyAllowsEventBridge(stack.queues.scraperDlq.definition.Attributes?.Policy)).toBe(true);
    expect(
      policyAllowsEventBridge(
        policy({ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage" }),
      ),
    ).toBe(false);
    expect(policyAllowsEventBridge(policy({ Effect: "Allow", Principal: "*", Action: "sqs:*" }))).toBe(true);
    expect(
      policyAllowsEventBridge(
        policy({ Effect: "Deny", Principal: { Service: "events.amazonaws.com" }, Action: "*" }),
      ),
    ).toBe(false);
    expect(policyAllowsEventBridge(undefined)).toBe(false);
    expect(policyAllowsEventBridge("not json")).toBe(false);
  });
});
