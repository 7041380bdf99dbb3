import { describe, expect, it } from "vitest";
import { evaluateResourcePolicy } from "../../../../src/runtime/emulator/core/resource-policy.js";
import { retryDelaySeconds } from "../../../../src/runtime/emulator/services/sns/delivery-policy.js";
import {
  AWS_MANAGED_RETRY_POLICY,
  DEFAULT_HTTP_RETRY_POLICY,
} from "../../../../src/runtime/emulator/services/sns/limits.js";

const queue = "arn:aws:sqs:us-east-1:000000000000:alerts";
const topic = "arn:aws:sns:us-east-1:000000000000:celebrity-pipeline-alerts";
const request = {
  principal: { service: "sns.amazonaws.com" },
  action: "sqs:SendMessage",
  resource: queue,
  context: { "aws:SourceArn": topic, "aws:SourceAccount": "000000000000" },
};
const policy = (...Statement: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const allowSns = {
  Effect: "Allow",
  Principal: { Service: "sns.amazonaws.com" },
  Action: "sqs:SendMessage",
  Resource: queue,
  Condition: { ArnEquals: { "aws:SourceArn": topic } },
};

describe("resource policy evaluation (IAM's rules for resource-based policies)", () => {
  it("no policy, or no matching statement, is an implicit deny", () => {
    expect(evaluateResourcePolicy(undefined, request)).toBe("implicit-deny");
    expect(
      evaluateResourcePolicy(
        policy({ ...allowSns, Principal: { Service: "events.amazonaws.com" } }),
        request,
      ),
    ).toBe("implicit-deny");
  });

  it("an Allow for the service, action, resource and source ARN allows", () => {
    expect(evaluateResourcePolicy(policy(allowSns), request)).toBe("allow");
    expect(
      evaluateResourcePolicy(
        policy({ ...allowSns, Action: "SQS:*", Resource: "arn:aws:sqs:*:*:ale?ts" }),
        request,
      ),
    ).toBe("allow");
  });

  it("conditions must all hold; condition keys compare case-insensitively", () => {
    const other = { ...allowSns, Condition: { ArnEquals: { "AWS:SourceArn": `${topic}-other` } } };
    expect(evaluateResourcePolicy(policy(other), request)).toBe("implicit-deny");
    const both = {
      ...allowSns,
      Condition: {
        ArnLike: { "aws:sourcearn": "arn:aws:sns:*:*:celebrity-*" },
        StringEquals: { "aws:SourceAccount": "111111111111" },
      },
    };
    expect(evaluateResourcePolicy(policy(both), request)).toBe("implicit-deny");
  });

  it("an explicit Deny wins over an Allow", () => {
    expect(
      evaluateResourcePolicy(
        policy(allowSns, { Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: "*" }),
        request,
      ),
    ).toBe("deny");
  });

  it("a negated operator holds for an absent key, a positive one does not; IfExists lets an absent key pass", () => {
    const bare = { ...request, context: {} };
    expect(
      evaluateResourcePolicy(
        policy({ ...allowSns, Condition: { ArnNotEquals: { "aws:SourceArn": "x" } } }),
        bare,
      ),
    ).toBe("allow");
    expect(evaluateResourcePolicy(policy(allowSns), bare)).toBe("implicit-deny");
    expect(
      evaluateResourcePolicy(
        policy({ ...allowSns, Condition: { ArnEqualsIfExists: { "aws:SourceArn": "x" } } }),
        bare,
      ),
    ).toBe("allow");
  });
});

describe("SNS delivery policy phases", () => {
  it("HTTP/S default: three retries, 20 s apart", () => {
    expect([1, 2, 3].map((n) => retryDelaySeconds(DEFAULT_HTTP_RETRY_POLICY, n))).toEqual([20, 20, 20]);
  });

  it("AWS-managed endpoints: 3 immediate, 2 at 1 s, backoff 1 -> 20 s, then 20 s", () => {
    const delays = Array.from({ length: 17 }, (_, n) => retryDelaySeconds(AWS_MANAGED_RETRY_POLICY, n + 1));
    expect(delays.slice(0, 5)).toEqual([0, 0, 0, 1, 1]);
    const backoff = delays.slice(5, 15);
    expect(backoff[0]).toBe(1);
    expect(backoff[9]).toBe(20);
    expect(backoff.every((d, n) => n === 0 || d >= backoff[n - 1]!)).toBe(true);
    expect(delays.slice(15)).toEqual([20, 20]);
  });
});
