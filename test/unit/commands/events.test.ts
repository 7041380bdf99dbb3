import { describe, expect, it } from "vitest";
import { EVENT_KINDS } from "../../../src/commands/events/index.js";
import { SAMPLE_EVENT_KINDS } from "../../../src/runtime/invoke/index.js";
import { runCliCaptured } from "./helpers/run-cli.js";

describe("events generate", () => {
  it("scheduled: the weekly rule's event for the target's region and account", async () => {
    const run = await runCliCaptured(
      "events generate scheduled --time 2026-08-02T02:00:12Z --region eu-west-1",
    );

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      "detail-type": "Scheduled Event",
      time: "2026-08-02T02:00:00Z",
      region: "eu-west-1",
      resources: ["arn:aws:events:eu-west-1:000000000000:rule/celebrity-weekly-scrape"],
    });
  });

  it("stream: --count INSERT records from the suffixed table's stream", async () => {
    const run = await runCliCaptured("events generate stream --count 3", {
      env: { PIPELINE_SUFFIX: "-dev" },
    });
    const event = JSON.parse(run.stdout) as { Records: { eventName: string; eventSourceARN: string }[] };

    expect(event.Records).toHaveLength(3);
    expect(event.Records.every((record) => record.eventName === "INSERT")).toBe(true);
    expect(event.Records[0]!.eventSourceARN).toMatch(
      /^arn:aws:dynamodb:us-east-1:000000000000:table\/celebrity-database-dev\/stream\//,
    );
  });

  it("aws target: uses the configured account without asking STS", async () => {
    const run = await runCliCaptured("events generate sqs --count 2 --target aws", {
      env: { PIPELINE_ACCOUNT: "123456789012", AWS_REGION: "eu-west-2" },
    });
    const event = JSON.parse(run.stdout) as { Records: { eventSourceARN: string; body: string }[] };

    expect(run.code).toBe(0);
    expect(event.Records.map((record) => record.eventSourceARN)).toEqual([
      "arn:aws:sqs:eu-west-2:123456789012:celebrity-scraper-dlq",
      "arn:aws:sqs:eu-west-2:123456789012:celebrity-scraper-dlq",
    ]);
    expect(JSON.parse(event.Records[0]!.body)).toMatchObject({
      source: "aws.events",
      account: "123456789012",
    });
  });

  it("an unknown kind or a bad time is a usage error naming what is allowed", async () => {
    const kind = await runCliCaptured("events generate cron");
    const time = await runCliCaptured("events generate manual --time yesterday");

    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain("Allowed choices are scheduled, manual, stream, sqs");
    expect(time.code).toBe(2);
    expect(time.stderr).toBe(
      'pipeline: --time "yesterday" is not a time; use YYYY-MM-DD (midnight UTC) or ' +
        "YYYY-MM-DDThh:mm[:ss[.sss]] with Z or ±hh:mm, e.g. 2026-08-02T02:00:00Z\n",
    );
  });

  it("the command's kinds are the engine's kinds", () => {
    expect([...EVENT_KINDS]).toEqual([...SAMPLE_EVENT_KINDS]);
  });
});
