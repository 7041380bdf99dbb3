import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  ListTagsForResourceCommand,
  PutPermissionCommand,
  PutRuleCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-eventbridge";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * Tags on rules and event buses (TagResource, UntagResource, ListTagsForResource, and Tags given to
 * PutRule and CreateEventBus) and a bus's resource policy (PutPermission, RemovePermission, Policy
 * in DescribeEventBus), as the EventBridge API reference and tagging guide describe them.
 */
const ACCOUNT = "000000000000";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const arn = (resource: string) => `arn:aws:events:us-east-1:${ACCOUNT}:${resource}`;

async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

describe("events: tags on rules and buses", () => {
  let emulator: Emulator;
  let events: EventBridgeClient;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["events"] });
    events = new EventBridgeClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    events.destroy();
    await emulator.stop();
  });

  const tagsOf = async (resource: string) =>
    (await events.send(new ListTagsForResourceCommand({ ResourceARN: resource }))).Tags;

  it("a missing rule or bus is ResourceNotFoundException, worded as DescribeRule and DescribeEventBus word it", async () => {
    for (const [resource, message] of [
      [arn("rule/nope"), "Rule nope does not exist on EventBus default."],
      [arn("rule/some-bus/nope"), "Rule nope does not exist on EventBus some-bus."],
      [arn("event-bus/nope"), "Event bus nope does not exist."],
    ] as const) {
      const calls = [
        events.send(new TagResourceCommand({ ResourceARN: resource, Tags: [{ Key: "k", Value: "v" }] })),
        events.send(new UntagResourceCommand({ ResourceARN: resource, TagKeys: ["k"] })),
        events.send(new ListTagsForResourceCommand({ ResourceARN: resource })),
      ];
      for (const call of calls) {
        expect(await failure(call)).toEqual({ name: "ResourceNotFoundException", message, status: 400 });
      }
    }
  });

  it("bad tags are refused as the model constrains them; an ARN of something else is a ValidationException", async () => {
    await events.send(new PutRuleCommand({ Name: "checked", EventPattern: '{"source":["x"]}' }));
    const resource = arn("rule/checked");
    const emptyKey = await failure(
      events.send(new TagResourceCommand({ ResourceARN: resource, Tags: [{ Key: "", Value: "v" }] })),
    );
    expect(emptyKey.name).toBe("ValidationException");
    expect(emptyKey.message).toBe(
      "1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const longValue = await failure(
      events.send(
        new TagResourceCommand({ ResourceARN: resource, Tags: [{ Key: "k", Value: "v".repeat(257) }] }),
      ),
    );
    expect(longValue.message).toMatch(
      /at 'tags\.1\.member\.value' failed to satisfy constraint: Member must have length less than or equal to 256$/,
    );
    const twice = await failure(
      events.send(
        new TagResourceCommand({
          ResourceARN: resource,
          Tags: [
            { Key: "k", Value: "1" },
            { Key: "k", Value: "2" },
          ],
        }),
      ),
    );
    expect(twice).toMatchObject({
      name: "ValidationException",
      message: "Invalid parameter: Duplicated keys are not allowed.",
    });
    const reserved = await failure(
      events.send(
        new TagResourceCommand({ ResourceARN: resource, Tags: [{ Key: "aws:owner", Value: "me" }] }),
      ),
    );
    expect(reserved.name).toBe("ValidationException");
    const tooMany = await failure(
      events.send(
        new TagResourceCommand({
          ResourceARN: resource,
          Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" })),
        }),
      ),
    );
    expect(tooMany.name).toBe("ValidationException");
    const connection = await failure(
      events.send(new ListTagsForResourceCommand({ ResourceARN: arn("connection/c/abc") })),
    );
    expect(connection.name).toBe("ValidationException");
    // Nothing of the refused requests was stored.
    expect(await tagsOf(resource)).toEqual([]);
    await events.send(new DeleteRuleCommand({ Name: "checked" }));
  });

  it("a rule an archive manages cannot be tagged (ManagedRuleException)", async () => {
    await events.send(
      new CreateArchiveCommand({ ArchiveName: "kept", EventSourceArn: arn("event-bus/default") }),
    );
    const managed = await failure(
      events.send(
        new TagResourceCommand({
          ResourceARN: arn("rule/Events-Archive-kept"),
          Tags: [{ Key: "k", Value: "v" }],
        }),
      ),
    );
    expect(managed.name).toBe("ManagedRuleException");
  });

  it("TagResource adds and replaces, UntagResource removes (a missing key quietly), on rules of both buses and on buses", async () => {
    await events.send(new CreateEventBusCommand({ Name: "tagged-bus" }));
    await events.send(new PutRuleCommand({ Name: "on-default", EventPattern: '{"source":["x"]}' }));
    await events.send(
      new PutRuleCommand({ Name: "on-custom", EventBusName: "tagged-bus", EventPattern: '{"source":["x"]}' }),
    );
    for (const resource of [
      arn("rule/on-default"),
      arn("rule/tagged-bus/on-custom"),
      arn("event-bus/tagged-bus"),
      arn("event-bus/default"),
    ]) {
      await events.send(
        new TagResourceCommand({
          ResourceARN: resource,
          Tags: [
            { Key: "tag1", Value: "value1" },
            { Key: "tag2", Value: "value2" },
          ],
        }),
      );
      await events.send(
        new TagResourceCommand({ ResourceARN: resource, Tags: [{ Key: "tag1", Value: "new" }] }),
      );
      expect(await tagsOf(resource)).toEqual([
        { Key: "tag1", Value: "new" },
        { Key: "tag2", Value: "value2" },
      ]);
      await events.send(new UntagResourceCommand({ ResourceARN: resource, TagKeys: ["tag2", "never-set"] }));
      expect(await tagsOf(resource)).toEqual([{ Key: "tag1", Value: "new" }]);
    }
  });

  it("PutRule and CreateEventBus take Tags; PutRule again keeps them; a deleted and recreated resource has none", async () => {
    const rule = await events.send(
      new PutRuleCommand({
        Name: "born-tagged",
        EventPattern: '{"source":["x"]}',
        Tags: [{ Key: "team", Value: "data" }],
      }),
    );
    await events.send(new PutRuleCommand({ Name: "born-tagged", EventPattern: '{"source":["y"]}' }));
    expect(await tagsOf(rule.RuleArn!)).toEqual([{ Key: "team", Value: "data" }]);
    const bus = await events.send(
      new CreateEventBusCommand({ Name: "born-tagged-bus", Tags: [{ Key: "env", Value: "test" }] }),
    );
    expect(await tagsOf(bus.EventBusArn!)).toEqual([{ Key: "env", Value: "test" }]);

    await events.send(new DeleteRuleCommand({ Name: "born-tagged" }));
    await events.send(new PutRuleCommand({ Name: "born-tagged", EventPattern: '{"source":["x"]}' }));
    expect(await tagsOf(rule.RuleArn!)).toEqual([]);
    await events.send(new DeleteEventBusCommand({ Name: "born-tagged-bus" }));
    expect(
      (await failure(events.send(new ListTagsForResourceCommand({ ResourceARN: bus.EventBusArn! })))).name,
    ).toBe("ResourceNotFoundException");
    await events.send(new CreateEventBusCommand({ Name: "born-tagged-bus" }));
    expect(await tagsOf(bus.EventBusArn!)).toEqual([]);
  });
});

describe("events: bus permissions", () => {
  let emulator: Emulator;
  let events: EventBridgeClient;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["events"] });
    events = new EventBridgeClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    events.destroy();
    await emulator.stop();
  });

  const policyOf = async (name?: string) => {
    const described = await events.send(new DescribeEventBusCommand({ Name: name }));
    return described.Policy === undefined
      ? undefined
      : (JSON.parse(described.Policy) as { Statement: unknown[] });
  };

  it("refusals: a missing bus, values outside the model, Policy with the other fields, a missing statement", async () => {
    expect(
      await failure(
        events.send(
          new PutPermissionCommand({
            EventBusName: "nope",
            Action: "events:PutEvents",
            Principal: "111122223333",
            StatementId: "s",
          }),
        ),
      ),
    ).toEqual({ name: "ResourceNotFoundException", message: "Event bus nope does not exist.", status: 400 });
    const principal = await failure(
      events.send(
        new PutPermissionCommand({ Action: "events:PutEvents", Principal: "12345", StatementId: "s" }),
      ),
    );
    expect(principal.message).toBe(
      "1 validation error detected: Value '12345' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\d{12}|\\*)",
    );
    const sid = await failure(
      events.send(
        new PutPermissionCommand({
          Action: "events:PutEvents",
          Principal: "111122223333",
          StatementId: "a b",
        }),
      ),
    );
    expect(sid.message).toMatch(
      /at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    const both = await failure(
      events.send(
        new PutPermissionCommand({
          Policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
          StatementId: "s",
        }),
      ),
    );
    expect(both.name).toBe("ValidationException");
    const notJson = await failure(events.send(new PutPermissionCommand({ Policy: "{not json" })));
    expect(notJson.name).toBe("ValidationException");
    const big = await failure(
      events.send(
        new PutPermissionCommand({
          Policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "big",
                Effect: "Allow",
                Principal: "*",
                Action: "events:PutEvents",
                Resource: "x".repeat(11_000),
              },
            ],
          }),
        }),
      ),
    );
    expect(big.name).toBe("PolicyLengthExceededException");
    expect(await failure(events.send(new RemovePermissionCommand({ StatementId: "never-granted" })))).toEqual(
      {
        name: "ResourceNotFoundException",
        message: "Statement with the provided id does not exist.",
        status: 400,
      },
    );
    expect(await policyOf()).toBeUndefined();
  });

  it("PutPermission builds the statements DescribeEventBus shows; RemovePermission takes one or all away", async () => {
    await events.send(new CreateEventBusCommand({ Name: "shared" }));
    await events.send(
      new PutPermissionCommand({
        EventBusName: "shared",
        Action: "events:PutEvents",
        Principal: "111122223333",
        StatementId: "partner",
      }),
    );
    await events.send(
      new PutPermissionCommand({
        EventBusName: "shared",
        Action: "events:PutEvents",
        Principal: "*",
        StatementId: "org",
        Condition: { Type: "StringEquals", Key: "aws:PrincipalOrgID", Value: "o-abc123" },
      }),
    );
    expect(await policyOf("shared")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "partner",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::111122223333:root" },
          Action: "events:PutEvents",
          Resource: arn("event-bus/shared"),
        },
        {
          Sid: "org",
          Effect: "Allow",
          Principal: "*",
          Action: "events:PutEvents",
          Resource: arn("event-bus/shared"),
          Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
        },
      ],
    });
    await events.send(new RemovePermissionCommand({ EventBusName: "shared", StatementId: "partner" }));
    expect((await policyOf("shared"))?.Statement).toHaveLength(1);
    await events.send(new RemovePermissionCommand({ EventBusName: "shared", RemoveAllPermissions: true }));
    expect(await policyOf("shared")).toBeUndefined();

    // A whole Policy replaces what was there, on the default bus too.
    const document = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "all",
          Effect: "Allow",
          Principal: "*",
          Action: "events:PutEvents",
          Resource: arn("event-bus/default"),
        },
      ],
    };
    await events.send(new PutPermissionCommand({ Policy: JSON.stringify(document) }));
    expect(await policyOf()).toEqual(document);
  });
});

describe("events: tags and permissions with --persist", () => {
  it("tags and a bus policy survive a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "events-tags-"));
    try {
      let emulator = await createEmulator({ services: ["events"], persistDir: dir });
      let events = new EventBridgeClient({
        endpoint: emulator.url,
        region: "us-east-1",
        credentials,
        maxAttempts: 1,
      });
      await events.send(new CreateEventBusCommand({ Name: "kept", Tags: [{ Key: "a", Value: "1" }] }));
      await events.send(
        new PutPermissionCommand({
          EventBusName: "kept",
          Action: "events:PutEvents",
          Principal: "111122223333",
          StatementId: "s",
        }),
      );
      events.destroy();
      await emulator.stop();
      emulator = await createEmulator({ services: ["events"], persistDir: dir });
      events = new EventBridgeClient({
        endpoint: emulator.url,
        region: "us-east-1",
        credentials,
        maxAttempts: 1,
      });
      expect(
        (await events.send(new ListTagsForResourceCommand({ ResourceARN: arn("event-bus/kept") }))).Tags,
      ).toEqual([{ Key: "a", Value: "1" }]);
      expect((await events.send(new DescribeEventBusCommand({ Name: "kept" }))).Policy).toMatch(/"Sid":"s"/);
      events.destroy();
      await emulator.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!awsCliAvailable)("events: tags and permissions through the AWS CLI", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["events"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("tag-resource, list-tags-for-resource, put-permission, describe-event-bus and the not-found errors", async () => {
    const missing = await awsCli(emulator.url, [
      "events",
      "list-tags-for-resource",
      "--resource-arn",
      arn("rule/nope"),
    ]);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toMatch(
      /ResourceNotFoundException.*Rule nope does not exist on EventBus default\./,
    );
    const noStatement = await awsCli(emulator.url, ["events", "remove-permission", "--statement-id", "nope"]);
    expect(noStatement.exitCode).not.toBe(0);
    expect(noStatement.stderr).toMatch(/ResourceNotFoundException/);

    await awsCliJson(emulator.url, [
      "events",
      "put-rule",
      "--name",
      "cli-rule",
      "--event-pattern",
      '{"source":["x"]}',
    ]);
    await awsCliJson(emulator.url, [
      "events",
      "tag-resource",
      "--resource-arn",
      arn("rule/cli-rule"),
      "--tags",
      "Key=team,Value=data",
    ]);
    const listed = await awsCliJson<{ Tags: unknown[] }>(emulator.url, [
      "events",
      "list-tags-for-resource",
      "--resource-arn",
      arn("rule/cli-rule"),
    ]);
    expect(listed.Tags).toEqual([{ Key: "team", Value: "data" }]);
    await awsCliJson(emulator.url, [
      "events",
      "put-permission",
      "--action",
      "events:PutEvents",
      "--principal",
      "111122223333",
      "--statement-id",
      "cli",
    ]);
    const bus = await awsCliJson<{ Policy: string }>(emulator.url, ["events", "describe-event-bus"]);
    expect(JSON.parse(bus.Policy)).toMatchObject({
      Statement: [{ Sid: "cli", Principal: { AWS: "arn:aws:iam::111122223333:root" } }],
    });
  });
});
