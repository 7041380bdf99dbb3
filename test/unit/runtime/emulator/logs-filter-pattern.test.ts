import { describe, expect, it } from "vitest";
import {
  compileFilterPattern,
  FilterPatternError,
} from "../../../../src/runtime/emulator/services/logs/filter-pattern/index.js";

function matches(pattern: string, message: string): boolean {
  return compileFilterPattern(pattern)(message);
}

describe("filter pattern: terms", () => {
  it("empty pattern matches everything", () => {
    expect(matches("", "anything")).toBe(true);
    expect(matches("   ", "")).toBe(true);
  });

  it("all plain terms must appear, case-sensitively, as whole terms", () => {
    expect(matches("ERROR timeout", "[ERROR] request timeout after 3s")).toBe(true);
    expect(matches("ERROR timeout", "[ERROR] request failed")).toBe(false);
    expect(matches("ERROR", "error: lowercase")).toBe(false);
    expect(matches("Exception", "java.lang.NullPointerException")).toBe(false);
    expect(matches("Exception", "Exception: boom")).toBe(true);
    expect(matches("scraper", "scraper-tmdb started")).toBe(true);
  });

  it("quoted phrases match exactly, spaces and punctuation included", () => {
    expect(matches('"Task timed out"', "2026-01-01 Task timed out after 3.00 seconds")).toBe(true);
    expect(matches('"Task timed out"', "Task  timed out")).toBe(false);
    expect(matches('"user-id:42"', "login user-id:42 ok")).toBe(true);
  });

  it("?terms are alternatives", () => {
    expect(matches("?ERROR ?WARN", "WARN disk almost full")).toBe(true);
    expect(matches("?ERROR ?WARN", "INFO all good")).toBe(false);
  });

  it("-terms exclude", () => {
    expect(matches("ERROR -Retry", "ERROR fatal")).toBe(true);
    expect(matches("ERROR -Retry", "ERROR Retry 2 of 3")).toBe(false);
    expect(matches('-"health check"', "GET /healthcheck")).toBe(true);
    expect(matches('-"health check"', "the health check passed")).toBe(false);
  });

  it("%regex% terms match anywhere", () => {
    expect(matches("%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST")).toBe(true);
    expect(matches("%\\d{3} ms%", "took 812 ms")).toBe(true);
    expect(matches("%\\d{3} ms%", "took 8 ms")).toBe(false);
  });

  it("refuses a dangling ? or -", () => {
    expect(() => compileFilterPattern("ERROR ?")).toThrow(FilterPatternError);
  });
});

describe("filter pattern: JSON", () => {
  const event = JSON.stringify({
    level: "ERROR",
    count: 7,
    x: "y",
    ok: false,
    user: { id: 42, name: "Ava" },
    tags: ["a", "b"],
    nothing: null,
    latency: 512.5,
  });

  it("string equality, inequality and wildcards", () => {
    expect(matches('{ $.level = "ERROR" }', event)).toBe(true);
    expect(matches('{ $.level = "INFO" }', event)).toBe(false);
    expect(matches('{ $.level != "INFO" }', event)).toBe(true);
    expect(matches('{ $.level = "ERR*" }', event)).toBe(true);
    expect(matches("{ $.level = ERROR }", event)).toBe(true);
    expect(matches('{ $.user.name = "A*a" }', event)).toBe(true);
  });

  it("numeric comparisons", () => {
    expect(matches("{ $.count > 5 }", event)).toBe(true);
    expect(matches("{ $.count >= 7 && $.count <= 7 }", event)).toBe(true);
    expect(matches("{ $.count < 5 }", event)).toBe(false);
    expect(matches("{ $.latency > 500 }", event)).toBe(true);
    expect(matches("{ $.user.id = 42 }", event)).toBe(true);
    expect(matches("{ $.count != 7 }", event)).toBe(false);
    expect(matches("{ $.level > 5 }", event)).toBe(false);
  });

  it("&&, || and parentheses", () => {
    expect(matches('{ $.count > 5 && $.x = "y" }', event)).toBe(true);
    expect(matches('{ $.count > 50 && $.x = "y" }', event)).toBe(false);
    expect(matches('{ $.count > 50 || $.x = "y" }', event)).toBe(true);
    expect(matches('{ ($.count > 50 || $.x = "y") && $.ok IS FALSE }', event)).toBe(true);
    expect(matches('{ $.count > 50 || ($.x = "y" && $.ok IS TRUE) }', event)).toBe(false);
  });

  it("IS TRUE/FALSE/NULL, NOT EXISTS", () => {
    expect(matches("{ $.ok IS FALSE }", event)).toBe(true);
    expect(matches("{ $.ok IS TRUE }", event)).toBe(false);
    expect(matches("{ $.nothing IS NULL }", event)).toBe(true);
    expect(matches("{ $.level IS NULL }", event)).toBe(false);
    expect(matches("{ $.missing NOT EXISTS }", event)).toBe(true);
    expect(matches("{ $.level NOT EXISTS }", event)).toBe(false);
  });

  it("arrays by index and [*]", () => {
    expect(matches('{ $.tags[0] = "a" }', event)).toBe(true);
    expect(matches('{ $.tags[1] = "a" }', event)).toBe(false);
    expect(matches('{ $.tags[*] = "b" }', event)).toBe(true);
  });

  it("regex values", () => {
    expect(matches("{ $.level = %^ERR% }", event)).toBe(true);
    expect(matches("{ $.level = %^WARN% }", event)).toBe(false);
  });

  it("a missing field never matches a comparison, even !=", () => {
    expect(matches('{ $.missing != "x" }', event)).toBe(false);
  });

  it("never matches events that are not JSON", () => {
    expect(matches('{ $.level = "ERROR" }', 'ERROR {"level":"ERROR"}')).toBe(false);
    expect(matches('{ $.level = "ERROR" }', "{ not json")).toBe(false);
  });

  it("refuses malformed JSON patterns", () => {
    for (const bad of [
      "{ $.level = }",
      '{ level = "x" }',
      '{ $.level = "x"',
      '{ $.a > "text" }',
      "{ $.a IS MAYBE }",
    ]) {
      expect(() => compileFilterPattern(bad), bad).toThrow(FilterPatternError);
    }
  });
});

describe("filter pattern: space-delimited", () => {
  const line = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 503 1534';

  it("matches by field count and conditions", () => {
    expect(matches("[ip, user, username, timestamp, request, status_code, bytes]", line)).toBe(true);
    expect(matches("[ip, user, username, timestamp, request, status_code]", line)).toBe(false);
    expect(
      matches('[ip, user, username, timestamp, request = "*html*", status_code = 5*, bytes > 1000]', line),
    ).toBe(true);
    expect(matches("[ip, user, username, timestamp, request, status_code = 4*, bytes]", line)).toBe(false);
    expect(matches("[ip, user, username, timestamp, request, status_code, bytes < 1000]", line)).toBe(false);
  });

  it("... skips any number of fields", () => {
    expect(matches("[..., status_code = 503, bytes]", line)).toBe(true);
    expect(matches("[ip = 127.0.0.1, ...]", line)).toBe(true);
    expect(matches("[ip = 10.*, ...]", line)).toBe(false);
    expect(matches("[ip, ..., status_code = 5* || status_code = 4*, bytes]", line)).toBe(true);
  });

  it("reads Lambda REPORT lines", () => {
    const report =
      "REPORT RequestId: 3f0c9a52 Duration: 812.44 ms Billed Duration: 813 ms Memory Size: 512 MB Max Memory Used: 97 MB";
    expect(matches("[type = REPORT, ..., used, unit = MB]", report)).toBe(true);
    expect(matches("[type = REPORT, a, id, b, duration > 1000, ...]", report)).toBe(false);
    expect(matches("[type = REPORT, a, id, b, duration > 800, ...]", report)).toBe(true);
  });

  it("refuses malformed patterns", () => {
    expect(() => compileFilterPattern("[]")).toThrow(FilterPatternError);
    expect(() => compileFilterPattern("[a, b")).toThrow(FilterPatternError);
  });
});
