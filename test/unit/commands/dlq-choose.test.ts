import { describe, expect, it } from "vitest";
import { chooseFailures } from "../../../src/commands/dlq/replay.js";
import type { CommandContext, Prompter } from "../../../src/commands/_kit/index.js";
import { decodeMessage, groupFailures, type RawMessage } from "../../../src/runtime/dlq/index.js";

/** The interactive choice of failures to replay, with scripted answers in place of a terminal. */

function eventBridgeFailure(id: string, target: string): RawMessage {
  const attribute = (value: string) => ({ DataType: "String", StringValue: value });
  return {
    messageId: id,
    body: "{}",
    attributes: {},
    messageAttributes: {
      RULE_ARN: attribute("arn:aws:events:us-east-1:000000000000:rule/celebrity-manual-scrape"),
      TARGET_ARN: attribute(`arn:aws:lambda:us-east-1:000000000000:function:${target}`),
      ERROR_CODE: attribute("NO_PERMISSIONS"),
    },
  };
}

const groups = groupFailures(
  [
    eventBridgeFailure("a", "scraper-news"),
    eventBridgeFailure("b", "scraper-tmdb"),
    eventBridgeFailure("c", "scraper-news"),
  ].map(decodeMessage),
);

function contextAnswering(select: string, confirms: boolean[] = []) {
  const asked: string[] = [];
  const prompt: Prompter = {
    interactive: true,
    confirm: async (question) => {
      asked.push(question.message);
      return confirms.shift() ?? false;
    },
    select: async <T extends string>(question: { message: string; choices: readonly { value: T }[] }) => {
      asked.push(question.message);
      expect(question.choices.map((c) => c.value)).toEqual([
        "all",
        "only:scraper-news",
        "only:scraper-tmdb",
        "each",
        "none",
      ]);
      return select as T;
    },
    input: async () => "",
    secret: async () => "",
  };
  return { ctx: { prompt } as unknown as CommandContext, asked };
}

describe("chooseFailures", () => {
  it("offers all, one function's, one by one or none", async () => {
    const keys = async (answer: string, confirms?: boolean[]) =>
      (await chooseFailures(contextAnswering(answer, confirms).ctx, groups, "q")).map((g) => g.key);
    expect(await keys("all")).toEqual(["a", "b", "c"]);
    expect(await keys("only:scraper-news")).toEqual(["a", "c"]);
    expect(await keys("none")).toEqual([]);
    expect(await keys("each", [false, true, true])).toEqual(["b", "c"]);
  });

  it("asks about each failure naming its kind, function and error", async () => {
    const { ctx, asked } = contextAnswering("each", [true, true, true]);
    await chooseFailures(ctx, groups, "celebrity-scraper-dlq");
    expect(asked[0]).toBe("3 failure(s) in celebrity-scraper-dlq: which should be replayed?");
    expect(asked[1]).toBe("eventbridge-target scraper-news a (NO_PERMISSIONS): replay?");
  });
});
