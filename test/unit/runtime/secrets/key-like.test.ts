import { describe, expect, it } from "vitest";
import { HANDLER_ENV, defineStack } from "../../../../src/pipeline/stack/index.js";
import { keyLikeVariables, normaliseKey } from "../../../../src/runtime/secrets/index.js";
import { testStackParams } from "../../../helpers/stack-params.js";

// Shaped like TMDB's API Read Access Token (a JWT); invented, signs nothing.
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJpbnZlbnRlZCIsInN1YiI6InRlc3QifQ.c2lnbmF0dXJlLW5vdC1yZWFs";

describe("keyLikeVariables", () => {
  it("finds nothing in the environments the stack declares, though its params hold a key", () => {
    const stack = defineStack(testStackParams());
    for (const fn of Object.values(stack.functions)) {
      expect(keyLikeVariables(fn.definition.Environment.Variables)).toEqual([]);
    }
  });

  it.each([
    [{ SOURCE_API_KEY: "tmdb-secret-token" }, "SOURCE_API_KEY", "its name says it holds a secret"],
    [{ DB_PASSWORD: "hunter2" }, "DB_PASSWORD", "its name says it holds a secret"],
    [{ GITHUB_TOKEN: "abc" }, "GITHUB_TOKEN", "its name says it holds a secret"],
    [{ CONFIG: JWT }, "CONFIG", "its value is a JSON Web Token"],
    [{ SETTING: "AKIAIOSFODNN7EXAMPLE" }, "SETTING", "its value is an AWS access key id"],
    [{ HOOK: "https://bot:s3cr3t@hooks.example.com/x" }, "HOOK", "its value is a URL with a password in it"],
    [{ OTHER: "9f8A7b6C5d4E3f2A1b0C9d8E7f6A5b4C3d2E" }, "OTHER", "its value is a long random-looking string"],
    // A key put under a reference's name is still a key.
    [{ SOURCE_API_KEY_PARAMETER: JWT }, "SOURCE_API_KEY_PARAMETER", "its value is a JSON Web Token"],
  ])("flags %j", (variables, name, reason) => {
    expect(keyLikeVariables(variables)).toEqual([{ name, reason }]);
  });

  it.each([
    { [HANDLER_ENV.sourceApiKeyParameter]: "/celebrity-pipeline/tmdb/api-key" },
    { SECRET_ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:tmdb-AbCdEf" },
    { TABLE_NAME: "celebrity-database-integration-test" },
    { OPENSEARCH_ENDPOINT: "https://search-celebrities-abc123.us-east-1.es.amazonaws.com" },
    { SOURCE_API_KEY: "" },
    { SOURCE_API_KEY: "***" },
    { POWERTOOLS_SERVICE_NAME: "scraper-tmdb", ROSTER_SIZE: "100" },
  ])("leaves %j alone", (variables) => {
    expect(keyLikeVariables(variables)).toEqual([]);
  });
});

describe("normaliseKey", () => {
  it("drops a pipe's final newline and keeps the rest as given", () => {
    expect(normaliseKey("tmdb", `${JWT}\n`)).toBe(JWT);
    expect(normaliseKey("tmdb", `${JWT}\r\n`)).toBe(JWT);
    expect(normaliseKey("tmdb", JWT)).toBe(JWT);
  });

  it.each([
    ["", "the tmdb API key is empty: nothing was stored"],
    ["\n", "the tmdb API key is empty: nothing was stored"],
    ["one\ntwo\n", "the tmdb API key spans several lines"],
    [" padded", "the tmdb API key starts or ends with spaces"],
    [
      "x".repeat(4097),
      "the tmdb API key is 4097 characters; SSM Parameter Store's Standard tier holds at most 4096",
    ],
  ])("refuses %j", (raw, message) => {
    expect(() => normaliseKey("tmdb", raw)).toThrow(message);
  });
});
