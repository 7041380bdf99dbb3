import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/runtime/emulator/core/clock.js";
import { CredentialRegistry } from "../../../../src/runtime/emulator/core/credentials.js";
import { ServiceError } from "../../../../src/runtime/emulator/core/errors.js";
import { NoPersistence } from "../../../../src/runtime/emulator/core/persistence.js";
import type { ServiceEnv } from "../../../../src/runtime/emulator/core/service.js";
import {
  policyAllowsRule,
  TargetDelivery,
} from "../../../../src/runtime/emulator/services/events/delivery.js";
import type {
  EventEnvelope,
  RuleRecord,
  Target,
} from "../../../../src/runtime/emulator/services/events/models.js";

/**
 * Narrow unit tests of target delivery: retries, backoff on the clock, and the DLQ message, with
 * stand-ins for Lambda and SQS whose failures the test controls. The end-to-end paths over the real
 * services live in test/integration/emulator/events-delivery.test.ts.
 */

const ACCOUNT = "000000000000";
const RULE_ARN = `arn:aws:events:us-east-1:${ACCOUNT}:rule/weekly`;
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:scraper`;
const DLQ_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq`;
const GRANT = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "events",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "lambda:InvokeFunction",
      Resource: FUNCTION_ARN,
      Condition: { ArnLike: { "AWS:SourceArn": RULE_ARN } },
    },
  ],
});

interface Sent {
  body: string;
  attributes: Record<string, string>;
}

function harness(options: {
  policy?: string;
  invokeErrors?: ServiceError[];
  scale?: number;
  functionExists?: boolean;
}) {
  const clock = new ManualClock(Date.UTC(2026, 10, 29, 2, 0, 0));
  const invokes: { at: number; payload: string }[] = [];
  const dlq: Sent[] = [];
  const errors: unknown[] = [];
  const pending = [...(options.invokeErrors ?? [])];
  const env: ServiceEnv = {
    clock,
    baseUrl: () => "http://127.0.0.1:1",
    defaultRegion: "us-east-1",
    defaultAccountId: ACCOUNT,
    store: () => new NoPersistence(),
    settings: { retryWaitScale: options.scale ?? 1, lambdaConcurrencyPerFunction: 4 },
    reportBackgroundError: (_s, e) => errors.push(e),
    reportRecovery: () => {},
    credentials: new CredentialRegistry(),
    call: async <O>(service: string, operation: string, input: unknown): Promise<O> => {
      const i = input as Record<string, unknown>;
      switch (`${service}.${operation}`) {
        case "lambda.GetFunctionConfiguration":
          if (options.functionExists === false) {
            throw new ServiceError("ResourceNotFoundException", `Function not found: ${FUNCTION_ARN}`, 404);
          }
          return {} as O;
        case "lambda.GetPolicy":
          if (!options.policy)
            throw new ServiceError(
              "ResourceNotFoundException",
              "The resource you requested does not exist.",
              404,
            );
          return { Policy: options.policy } as O;
        case "lambda.Invoke": {
          invokes.push({ at: clock.now(), payload: String(i["Payload"]) });
          const error = pending.shift();
          if (error) throw error;
          return { StatusCode: 202 } as O;
        }
        case "sqs.GetQueueUrl":
          return { QueueUrl: `http://queue/${String(i["QueueName"])}` } as O;
        case "sqs.SendMessage": {
          const attributes: Record<string, string> = {};
          for (const [k, v] of Object.entries(
            (i["MessageAttributes"] ?? {}) as Record<string, { StringValue: string }>,
          )) {
            attributes[k] = v.StringValue;
          }
          dlq.push({ body: String(i["MessageBody"]), attributes });
          return {} as O;
        }
        default:
          throw new ServiceError("UnknownOperationException", "no", 400);
      }
    },
  };
  const delivery = new TargetDelivery(env);
  const rule: RuleRecord = {
    accountId: ACCOUNT,
    region: "us-east-1",
    eventBusName: "default",
    name: "weekly",
    arn: RULE_ARN,
    scheduleExpression: "cron(0 2 ? * SUN *)",
    state: "ENABLED",
    scheduleAnchor: 0,
    targets: [],
  };
  const event: EventEnvelope = {
    version: "0",
    id: "e-1",
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: ACCOUNT,
    time: "2026-11-29T02:00:00Z",
    region: "us-east-1",
    resources: [RULE_ARN],
    detail: {},
  };
  const settle = async () => {
    for (let i = 0; i < 20; i++) await clock.advance(0);
  };
  return { clock, invokes, dlq, errors, delivery, rule, event, settle };
}

const throttle = () => new ServiceError("TooManyRequestsException", "Rate exceeded", 429);
const target = (extra: Partial<Target> = {}): Target => ({
  Id: "scraper",
  Arn: FUNCTION_ARN,
  DeadLetterConfig: { Arn: DLQ_ARN },
  ...extra,
});

describe("events delivery", () => {
  it("invokes the Lambda target asynchronously with the whole event", async () => {
    const h = harness({ policy: GRANT });
    h.delivery.deliver(h.rule, target(), h.event);
    await h.settle();
    expect(h.invokes).toHaveLength(1);
    expect(JSON.parse(h.invokes[0]?.payload ?? "")).toEqual(h.event);
    expect(h.dlq).toEqual([]);
  });

  it("throttling is retried with exponential backoff on the clock, then succeeds", async () => {
    const h = harness({ policy: GRANT, invokeErrors: [throttle(), throttle()] });
    h.delivery.deliver(h.rule, target({ RetryPolicy: { MaximumRetryAttempts: 3 } }), h.event);
    await h.settle();
    expect(h.invokes).toHaveLength(1);
    await h.clock.advance(1000);
    expect(h.invokes).toHaveLength(2);
    await h.clock.advance(1999);
    expect(h.invokes).toHaveLength(2);
    await h.clock.advance(1);
    await h.settle();
    expect(h.invokes.map((i) => i.at - (h.invokes[0]?.at ?? 0))).toEqual([0, 1000, 3000]);
    expect(h.dlq).toEqual([]);
  });

  it("after MaximumRetryAttempts the original event goes to the DLQ with the attributes", async () => {
    const h = harness({
      policy: GRANT,
      invokeErrors: [throttle(), throttle(), throttle(), throttle()],
      scale: 1 / 60,
    });
    h.delivery.deliver(
      h.rule,
      target({ RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 } }),
      h.event,
    );
    await h.clock.advance(1000);
    await h.settle();
    expect(h.invokes).toHaveLength(4);
    expect(h.dlq).toHaveLength(1);
    expect(JSON.parse(h.dlq[0]?.body ?? "")).toEqual(h.event);
    expect(h.dlq[0]?.attributes).toEqual({
      RULE_ARN,
      TARGET_ARN: FUNCTION_ARN,
      ERROR_CODE: "THROTTLING",
      ERROR_MESSAGE: "Rate exceeded",
      EXHAUSTED_RETRY_CONDITION: "MaximumRetryAttempts",
      RETRY_ATTEMPTS: "3",
    });
  });

  it("MaximumEventAgeInSeconds ends retries before the attempts run out", async () => {
    const errors = Array.from({ length: 20 }, throttle);
    const h = harness({ policy: GRANT, invokeErrors: errors });
    h.delivery.deliver(
      h.rule,
      target({ RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 } }),
      h.event,
    );
    await h.clock.advance(120_000);
    await h.settle();
    // Waits of 1, 2, 4, 8, 16 s reach 31 s; the next (32 s) would pass 60 s.
    expect(h.invokes).toHaveLength(6);
    expect(h.dlq[0]?.attributes).toMatchObject({
      EXHAUSTED_RETRY_CONDITION: "MaximumEventAgeInSeconds",
      RETRY_ATTEMPTS: "5",
    });
  });

  it("a missing permission goes straight to the DLQ without retries", async () => {
    const h = harness({});
    h.delivery.deliver(h.rule, target(), h.event);
    await h.settle();
    expect(h.invokes).toEqual([]);
    expect(h.dlq[0]?.attributes).toMatchObject({ ERROR_CODE: "NO_PERMISSIONS", RETRY_ATTEMPTS: "0" });
    expect(h.dlq[0]?.attributes).not.toHaveProperty("EXHAUSTED_RETRY_CONDITION");
  });

  it("a missing function is NO_RESOURCE, not retried", async () => {
    const h = harness({ policy: GRANT, functionExists: false });
    h.delivery.deliver(h.rule, target(), h.event);
    await h.settle();
    expect(h.dlq[0]?.attributes).toMatchObject({ ERROR_CODE: "NO_RESOURCE", RETRY_ATTEMPTS: "0" });
  });

  it("without a DLQ a failed event is dropped and reported", async () => {
    const h = harness({});
    h.delivery.deliver(h.rule, target({ DeadLetterConfig: undefined }), h.event);
    await h.settle();
    expect(h.dlq).toEqual([]);
    expect(String(h.errors[0])).toMatch(/was dropped \(NO_PERMISSIONS/);
  });

  it("stop() cancels pending retries", async () => {
    const h = harness({ policy: GRANT, invokeErrors: [throttle()] });
    h.delivery.deliver(h.rule, target(), h.event);
    await h.settle();
    h.delivery.stop();
    await h.clock.advance(10_000);
    expect(h.invokes).toHaveLength(1);
  });
});

describe("events delivery: resource policy check", () => {
  const statement = (extra: Record<string, unknown>) =>
    JSON.stringify({
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "lambda:InvokeFunction",
          ...extra,
        },
      ],
    });

  it("accepts the rule's SourceArn, wildcards and no condition", () => {
    expect(policyAllowsRule(GRANT, RULE_ARN, ACCOUNT)).toBe(true);
    expect(policyAllowsRule(statement({}), RULE_ARN, ACCOUNT)).toBe(true);
    expect(
      policyAllowsRule(
        statement({ Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:events:*:*:rule/week*" } } }),
        RULE_ARN,
        ACCOUNT,
      ),
    ).toBe(true);
    expect(
      policyAllowsRule(
        statement({ Condition: { StringEquals: { "AWS:SourceAccount": ACCOUNT } } }),
        RULE_ARN,
        ACCOUNT,
      ),
    ).toBe(true);
  });

  it("refuses another rule, another principal, Deny and garbage", () => {
    expect(policyAllowsRule(GRANT, RULE_ARN.replace("weekly", "other"), ACCOUNT)).toBe(false);
    expect(
      policyAllowsRule(
        JSON.stringify({
          Statement: [
            { Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "lambda:InvokeFunction" },
          ],
        }),
        RULE_ARN,
        ACCOUNT,
      ),
    ).toBe(false);
    expect(policyAllowsRule(statement({ Effect: "Deny" }), RULE_ARN, ACCOUNT)).toBe(false);
    expect(policyAllowsRule("not json", RULE_ARN, ACCOUNT)).toBe(false);
  });
});
