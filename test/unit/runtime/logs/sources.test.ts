import { describe, expect, it } from "vitest";
import { defineStack } from "../../../../src/pipeline/stack/index.js";
import { resolveLogSources } from "../../../../src/runtime/logs/index.js";
import { testStackParams } from "../../../helpers/stack-params.js";

describe("resolveLogSources", () => {
  const stack = defineStack(testStackParams({ suffix: "-test" }));

  it("maps logical function keys to the stack's names and log groups", () => {
    expect(resolveLogSources(stack, ["scraper-tmdb", "post-processor"])).toStrictEqual([
      {
        function: "scraper-tmdb",
        functionName: "scraper-tmdb-test",
        logGroupName: "/aws/lambda/scraper-tmdb-test",
      },
      {
        function: "post-processor",
        functionName: "post-processor-test",
        logGroupName: "/aws/lambda/post-processor-test",
      },
    ]);
  });

  it("accepts deployed names too, and lists each function once", () => {
    const sources = resolveLogSources(stack, ["index-sync-test", "index-sync"]);
    expect(sources.map((s) => s.function)).toStrictEqual(["index-sync"]);
  });

  it("means every function with no names or --all", () => {
    expect(resolveLogSources(stack, [])).toHaveLength(6);
    expect(resolveLogSources(stack, [], true)).toHaveLength(6);
  });

  it("refuses unknown names, listing the valid ones", () => {
    expect(() => resolveLogSources(stack, ["scraper-imdb"])).toThrow(
      "unknown function scraper-imdb; valid names: scraper-tmdb, scraper-wikipedia, scraper-news, scraper-social, post-processor, index-sync (or --all)",
    );
  });

  it("refuses names together with --all", () => {
    expect(() => resolveLogSources(stack, ["index-sync"], true)).toThrow(/not both/);
  });
});
