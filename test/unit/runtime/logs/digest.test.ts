import { describe, expect, it } from "vitest";
import { digestLogMessage, fitMiddle } from "../../../../src/runtime/logs/index.js";

/** The three shapes of line a Lambda log group holds, each said as level + message with its cause. */
describe("digestLogMessage", () => {
  it("the Node runtime's Invoke Error line: the error type and message from its JSON", () => {
    const line =
      "2026-12-07T11:24:06.667Z\t4e382c48-4f48-444a-9b59-88794aafc31f\tERROR\tInvoke Error \t" +
      JSON.stringify({
        errorType: "RetryableError",
        errorMessage: "tmdb GET /tmdb/3/search/person: network error: fetch failed (ECONNREFUSED)",
        stack: ["RetryableError: ...", "    at dre (file:///x/index.mjs:120:84732)"],
      });
    expect(digestLogMessage(line)).toEqual({
      level: "ERROR",
      text: "Invoke Error: RetryableError: tmdb GET /tmdb/3/search/person: network error: fetch failed (ECONNREFUSED)",
    });
  });

  it("a structured (Powertools) line: message and the error or reason it carries", () => {
    expect(
      digestLogMessage(
        JSON.stringify({
          level: "ERROR",
          message: "scrape run failed; run record written",
          error: "tmdb: 503",
        }),
      ),
    ).toEqual({ level: "ERROR", text: "scrape run failed; run record written: tmdb: 503" });
    expect(
      digestLogMessage(
        JSON.stringify({
          level: "WARN",
          message: "retrying",
          error: { name: "TimeoutError", message: "5 s" },
        }),
      ),
    ).toEqual({ level: "WARN", text: "retrying: TimeoutError: 5 s" });
    expect(digestLogMessage(JSON.stringify({ level: "INFO", message: "run started", runId: "r1" }))).toEqual({
      level: "INFO",
      text: "run started",
    });
  });

  it("platform lines and plain text have no level; whitespace is collapsed", () => {
    expect(
      digestLogMessage("REPORT RequestId: 4e38\tDuration: 2317.22 ms\tBilled Duration: 2318 ms\n"),
    ).toEqual({
      level: undefined,
      text: "REPORT RequestId: 4e38 Duration: 2317.22 ms Billed Duration: 2318 ms",
    });
    expect(digestLogMessage("{not json")).toEqual({ level: undefined, text: "{not json" });
  });
});

describe("fitMiddle", () => {
  it("keeps a third of the start and two thirds of the end, where a chained error names its root cause", () => {
    const text = "scrape run failed after 0 of 100 celebrities: network error: fetch failed (ECONNREFUSED)";
    const fitted = fitMiddle(text, 40);
    expect(fitted).toHaveLength(40);
    expect(fitted).toBe("scrape run fa…etch failed (ECONNREFUSED)");
    expect(fitMiddle("short", 40)).toBe("short");
  });
});
