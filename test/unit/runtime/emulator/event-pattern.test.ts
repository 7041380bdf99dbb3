import { describe, expect, it } from "vitest";
import {
  compileEventPattern,
  EventPatternError,
  matchesEventPattern,
} from "../../../../src/runtime/emulator/core/event-pattern.js";

const event = {
  version: "0",
  id: "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "012345679012",
  time: "2017-10-02T16:24:49Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000", "arn:aws:s3:::bucket"],
  detail: {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "source-ip6": "2001:db8::1",
    "instance-id": "i-000000aaaaaa00000",
    state: "running",
    empty: "",
    nothing: null,
    enabled: true,
    tags: ["blue", "green"],
    nested: { deeper: { value: "x" } },
    files: ["dir/a.png", "dir/b.txt"],
    employees: [
      { firstName: "John", lastName: "Doe" },
      { firstName: "Anna", lastName: "Smith" },
    ],
    noItems: [],
  },
};

const matches = (pattern: Record<string, unknown>, e: unknown = event) => matchesEventPattern(pattern, e);
const detail = (leaf: Record<string, unknown>) => matches({ detail: leaf });

describe("event pattern: exact values", () => {
  it("matches a top-level string value and ORs the values of one array", () => {
    expect(matches({ source: ["aws.ec2"] })).toBe(true);
    expect(matches({ source: ["aws.s3", "aws.ec2"] })).toBe(true);
    expect(matches({ source: ["aws.s3"] })).toBe(false);
  });

  it("is case-sensitive and literal", () => {
    expect(matches({ source: ["AWS.EC2"] })).toBe(false);
    expect(matches({ source: ["aws.ec"] })).toBe(false);
  });

  it("ANDs fields and nested objects", () => {
    expect(matches({ source: ["aws.ec2"], detail: { state: ["running"] } })).toBe(true);
    expect(matches({ source: ["aws.ec2"], detail: { state: ["stopped"] } })).toBe(false);
    expect(detail({ nested: { deeper: { value: ["x"] } } })).toBe(true);
    expect(detail({ nested: { deeper: { value: ["y"] } } })).toBe(false);
  });

  it("needs every pattern field to be present in the event", () => {
    expect(detail({ missing: ["x"] })).toBe(false);
    expect(matches({ nope: { inner: ["x"] } })).toBe(false);
  });

  it("compares numbers by value and keeps numbers and strings apart", () => {
    expect(detail({ "c-count": [5] })).toBe(true);
    expect(detail({ "c-count": [5.0] })).toBe(true);
    expect(detail({ "c-count": ["5"] })).toBe(false);
    expect(detail({ "x-limit": [3.018e2] })).toBe(true);
  });

  it("matches booleans, null and the empty string exactly", () => {
    expect(detail({ enabled: [true] })).toBe(true);
    expect(detail({ enabled: [false] })).toBe(false);
    expect(detail({ enabled: ["true"] })).toBe(false);
    expect(detail({ nothing: [null] })).toBe(true);
    expect(detail({ empty: [null] })).toBe(false);
    expect(detail({ empty: [""] })).toBe(true);
    expect(detail({ nothing: [""] })).toBe(false);
    expect(detail({ missing: [null] })).toBe(false);
  });

  it("matches an event array when any element matches", () => {
    expect(matches({ resources: ["arn:aws:s3:::bucket"] })).toBe(true);
    expect(detail({ tags: ["red", "green"] })).toBe(true);
    expect(detail({ tags: ["red"] })).toBe(false);
    expect(detail({ noItems: ["x"] })).toBe(false);
  });

  it("matches nested event arrays of arrays", () => {
    expect(matches({ a: ["deep"] }, { a: [["x"], ["y", ["deep"]]] })).toBe(true);
  });

  it("matches arrays of objects element by element (fields of different elements never combine)", () => {
    expect(detail({ employees: { firstName: ["Anna"] } })).toBe(true);
    expect(detail({ employees: { firstName: ["Anna"], lastName: ["Smith"] } })).toBe(true);
    expect(detail({ employees: { firstName: ["Anna"], lastName: ["Doe"] } })).toBe(false);
  });

  it("does not match an object or array value against a leaf value", () => {
    expect(detail({ nested: ["x"] })).toBe(false);
  });

  it("an empty pattern matches every event", () => {
    expect(matches({})).toBe(true);
  });
});

describe("event pattern: prefix, suffix, equals-ignore-case", () => {
  it("prefix matches string values only", () => {
    expect(matches({ time: [{ prefix: "2017-10-02" }] })).toBe(true);
    expect(matches({ time: [{ prefix: "2018" }] })).toBe(false);
    expect(detail({ "c-count": [{ prefix: "5" }] })).toBe(false);
    expect(detail({ state: [{ prefix: "" }] })).toBe(true);
  });

  it("prefix with equals-ignore-case", () => {
    expect(matches({ source: [{ prefix: { "equals-ignore-case": "AWS.E" } }] })).toBe(true);
    expect(matches({ source: [{ prefix: { "equals-ignore-case": "AWS.S" } }] })).toBe(false);
  });

  it("suffix, with and without ignore case", () => {
    expect(detail({ files: [{ suffix: ".png" }] })).toBe(true);
    expect(detail({ files: [{ suffix: ".PNG" }] })).toBe(false);
    expect(detail({ files: [{ suffix: { "equals-ignore-case": ".PNG" } }] })).toBe(true);
    expect(detail({ files: [{ suffix: ".gif" }] })).toBe(false);
  });

  it("equals-ignore-case", () => {
    expect(detail({ state: [{ "equals-ignore-case": "RUNNING" }] })).toBe(true);
    expect(detail({ state: [{ "equals-ignore-case": "RUN" }] })).toBe(false);
    expect(detail({ "c-count": [{ "equals-ignore-case": "5" }] })).toBe(false);
  });

  it("mixes operators and plain values in one array (OR)", () => {
    expect(detail({ state: ["stopped", { prefix: "run" }] })).toBe(true);
  });
});

describe("event pattern: wildcard", () => {
  it("* matches any run of characters, including none", () => {
    expect(detail({ files: [{ wildcard: "dir/*.png" }] })).toBe(true);
    expect(detail({ files: [{ wildcard: "*/b.*" }] })).toBe(true);
    expect(detail({ state: [{ wildcard: "run*ing" }] })).toBe(true);
    expect(detail({ state: [{ wildcard: "*running*" }] })).toBe(true);
    expect(detail({ state: [{ wildcard: "run*x" }] })).toBe(false);
  });

  it("escapes: \\* is a literal star, \\\\ a backslash", () => {
    expect(matches({ a: [{ wildcard: "a\\*b" }] }, { a: "a*b" })).toBe(true);
    expect(matches({ a: [{ wildcard: "a\\*b" }] }, { a: "axxb" })).toBe(false);
    expect(matches({ a: [{ wildcard: "a\\\\b" }] }, { a: "a\\b" })).toBe(true);
  });

  it("treats regex characters literally", () => {
    expect(matches({ a: [{ wildcard: "a.b*" }] }, { a: "axb" })).toBe(false);
    expect(matches({ a: [{ wildcard: "(a)+*" }] }, { a: "(a)+z" })).toBe(true);
  });
});

describe("event pattern: anything-but", () => {
  it("single string or number", () => {
    expect(detail({ state: [{ "anything-but": "initializing" }] })).toBe(true);
    expect(detail({ state: [{ "anything-but": "running" }] })).toBe(false);
    expect(detail({ "x-limit": [{ "anything-but": 123 }] })).toBe(true);
    expect(detail({ "c-count": [{ "anything-but": 5 }] })).toBe(false);
  });

  it("lists of strings or of numbers", () => {
    expect(detail({ state: [{ "anything-but": ["stopped", "overloaded"] }] })).toBe(true);
    expect(detail({ state: [{ "anything-but": ["stopped", "running"] }] })).toBe(false);
    expect(detail({ "c-count": [{ "anything-but": [100, 200, 300] }] })).toBe(true);
    expect(detail({ "c-count": [{ "anything-but": [4, 5] }] })).toBe(false);
  });

  it("does not match a missing field", () => {
    expect(detail({ missing: [{ "anything-but": "x" }] })).toBe(false);
  });

  it("matches an event array when some element is not excluded", () => {
    expect(detail({ tags: [{ "anything-but": "blue" }] })).toBe(true);
    expect(detail({ tags: [{ "anything-but": ["blue", "green"] }] })).toBe(false);
  });

  it("prefix, suffix, equals-ignore-case and wildcard forms", () => {
    expect(detail({ state: [{ "anything-but": { prefix: "init" } }] })).toBe(true);
    expect(detail({ state: [{ "anything-but": { prefix: "run" } }] })).toBe(false);
    expect(detail({ "instance-id": [{ "anything-but": { suffix: "000" } }] })).toBe(false);
    expect(detail({ "instance-id": [{ "anything-but": { suffix: ["x", "y"] } }] })).toBe(true);
    expect(detail({ state: [{ "anything-but": { "equals-ignore-case": "RUNNING" } }] })).toBe(false);
    expect(detail({ state: [{ "anything-but": { "equals-ignore-case": ["STOPPED", "X"] } }] })).toBe(true);
    expect(matches({ f: [{ "anything-but": { wildcard: "*/lib/*" } }] }, { f: "/usr/lib/x" })).toBe(false);
    expect(
      matches({ f: [{ "anything-but": { wildcard: ["*/lib/*", "*.tmp"] } }] }, { f: "/usr/bin/x" }),
    ).toBe(true);
  });

  it("string forms never match non-string values", () => {
    expect(detail({ "c-count": [{ "anything-but": { prefix: "x" } }] })).toBe(false);
  });
});

describe("event pattern: numeric", () => {
  it("single comparisons", () => {
    expect(detail({ "c-count": [{ numeric: [">", 0] }] })).toBe(true);
    expect(detail({ "c-count": [{ numeric: [">", 5] }] })).toBe(false);
    expect(detail({ "c-count": [{ numeric: [">=", 5] }] })).toBe(true);
    expect(detail({ "c-count": [{ numeric: ["<", 5] }] })).toBe(false);
    expect(detail({ "c-count": [{ numeric: ["<=", 5] }] })).toBe(true);
    expect(detail({ "x-limit": [{ numeric: ["=", 3.018e2] }] })).toBe(true);
    expect(detail({ "x-limit": [{ numeric: ["=", 301] }] })).toBe(false);
  });

  it("ranges", () => {
    expect(detail({ "c-count": [{ numeric: [">", 0, "<=", 5] }] })).toBe(true);
    expect(detail({ "c-count": [{ numeric: [">", 0, "<", 5] }] })).toBe(false);
    expect(detail({ "c-count": [{ numeric: [">=", 5, "<", 6] }] })).toBe(true);
    expect(matches({ n: [{ numeric: [">", -10, "<", -1] }] }, { n: -5 })).toBe(true);
  });

  it("only matches JSON numbers", () => {
    expect(detail({ state: [{ numeric: [">", 0] }] })).toBe(false);
    expect(matches({ n: [{ numeric: [">", 0] }] }, { n: "5" })).toBe(false);
  });
});

describe("event pattern: exists", () => {
  it("exists true needs a leaf value; null counts", () => {
    expect(detail({ state: [{ exists: true }] })).toBe(true);
    expect(detail({ nothing: [{ exists: true }] })).toBe(true);
    expect(detail({ missing: [{ exists: true }] })).toBe(false);
    expect(detail({ nested: [{ exists: true }] })).toBe(false);
    expect(detail({ noItems: [{ exists: true }] })).toBe(false);
  });

  it("exists false matches absent fields, intermediate nodes and empty arrays", () => {
    expect(detail({ missing: [{ exists: false }] })).toBe(true);
    expect(detail({ state: [{ exists: false }] })).toBe(false);
    expect(detail({ nested: [{ exists: false }] })).toBe(true);
    expect(detail({ noItems: [{ exists: false }] })).toBe(true);
  });

  it("exists false matches when a parent object is missing altogether", () => {
    expect(matches({ absent: { child: [{ exists: false }] } })).toBe(true);
    expect(matches({ absent: { child: [{ exists: true }] } })).toBe(false);
  });
});

describe("event pattern: cidr", () => {
  it("IPv4", () => {
    expect(detail({ "source-ip": [{ cidr: "10.0.0.0/24" }] })).toBe(true);
    expect(detail({ "source-ip": [{ cidr: "10.0.1.0/24" }] })).toBe(false);
    expect(detail({ "source-ip": [{ cidr: "0.0.0.0/0" }] })).toBe(true);
    expect(detail({ state: [{ cidr: "0.0.0.0/0" }] })).toBe(false);
  });

  it("IPv6", () => {
    expect(detail({ "source-ip6": [{ cidr: "2001:db8::/32" }] })).toBe(true);
    expect(detail({ "source-ip6": [{ cidr: "2001:db9::/32" }] })).toBe(false);
    expect(detail({ "source-ip": [{ cidr: "2001:db8::/32" }] })).toBe(false);
  });
});

describe("event pattern: $or", () => {
  it("ORs alternatives at the same level, ANDed with the other fields", () => {
    const pattern = {
      source: ["aws.ec2"],
      $or: [{ detail: { state: ["stopped"] } }, { detail: { "c-count": [{ numeric: [">", 4] }] } }],
    };
    expect(matches(pattern)).toBe(true);
    expect(matches({ ...pattern, source: ["aws.s3"] })).toBe(false);
    expect(matches({ $or: [{ detail: { state: ["stopped"] } }, { region: ["eu-west-1"] }] })).toBe(false);
  });

  it("nests inside objects and inside other $or alternatives", () => {
    expect(
      detail({
        $or: [{ state: ["x"] }, { "c-count": [5], $or: [{ "d-count": [99] }, { "x-limit": [301.8] }] }],
      }),
    ).toBe(true);
  });

  it("is a plain field name when it is not an array of two or more objects", () => {
    expect(matches({ $or: ["a"] }, { $or: "a" })).toBe(true);
    expect(matches({ $or: { x: ["1"] } }, { $or: { x: "1" } })).toBe(true);
  });
});

describe("event pattern: Lambda filter shapes", () => {
  it("matches DynamoDB stream records on their key attribute values", () => {
    const record = {
      eventName: "INSERT",
      dynamodb: { Keys: { pk: { S: "CELEB#042" }, sk: { S: "SOURCE#tmdb" } } },
    };
    const pattern = { dynamodb: { Keys: { pk: { S: [{ prefix: "CELEB#" }] } } } };
    expect(matches(pattern, record)).toBe(true);
    expect(matches(pattern, { ...record, dynamodb: { Keys: { pk: { S: "RUN#1" } } } })).toBe(false);
  });
});

describe("event pattern: validation", () => {
  const invalid = (pattern: unknown) => {
    try {
      compileEventPattern(pattern as Record<string, unknown>);
    } catch (error) {
      expect(error).toBeInstanceOf(EventPatternError);
      return (error as Error).message;
    }
    throw new Error(`expected ${JSON.stringify(pattern)} to be refused`);
  };

  it("prefixes every message the way AWS does", () => {
    expect(invalid({ a: "x" })).toBe('Event pattern is not valid. Reason: "a" must be an object or an array');
  });

  it("refuses non-JSON and non-object patterns", () => {
    expect(invalid("{not json")).toMatch(/Filter is not valid JSON/);
    expect(invalid("[1]")).toMatch(/Filter is not an object/);
    expect(invalid("null")).toMatch(/Filter is not an object/);
  });

  it("refuses leaf values that are not arrays and nested paths in the message", () => {
    expect(invalid({ detail: { state: 5 } })).toMatch(/"detail\.state" must be an object or an array/);
    expect(invalid({ a: [] })).toMatch(/Empty arrays are not allowed/);
    expect(invalid({ a: [["x"]] })).toMatch(/Match value must be String, number, true, false, or null/);
  });

  it("refuses unknown operators and objects with several keys", () => {
    expect(invalid({ a: [{ contains: "x" }] })).toMatch(/Unrecognized match type contains/);
    expect(invalid({ a: [{ prefix: "x", suffix: "y" }] })).toMatch(
      /Only one key allowed in match expression/,
    );
  });

  it("checks operand types", () => {
    expect(invalid({ a: [{ prefix: 5 }] })).toMatch(/prefix match pattern must be a string/);
    expect(invalid({ a: [{ suffix: null }] })).toMatch(/suffix match pattern must be a string/);
    expect(invalid({ a: [{ prefix: { other: "x" } }] })).toMatch(/Unsupported prefix pattern/);
    expect(invalid({ a: [{ "equals-ignore-case": 1 }] })).toMatch(
      /equals-ignore-case match pattern must be a string/,
    );
    expect(invalid({ a: [{ exists: "yes" }] })).toMatch(/exists match pattern must be either true or false/);
    expect(invalid({ a: [{ wildcard: 1 }] })).toMatch(/wildcard match pattern must be a string/);
  });

  it("checks wildcard syntax and complexity", () => {
    expect(invalid({ a: [{ wildcard: "a**b" }] })).toMatch(/Consecutive wildcard characters at pos 2/);
    expect(invalid({ a: [{ wildcard: "a\\b" }] })).toMatch(/Invalid escape character/);
    expect(invalid({ a: [{ wildcard: "*a*b*c*d*e*f" }] })).toMatch(/Rule is too complex/);
  });

  it("checks anything-but forms", () => {
    expect(invalid({ a: [{ "anything-but": ["a", 1] }] })).toMatch(/only strings or only numbers/);
    expect(invalid({ a: [{ "anything-but": [null] }] })).toMatch(/anything but list/);
    expect(invalid({ a: [{ "anything-but": true }] })).toMatch(/Value of anything-but must be an array/);
    expect(invalid({ a: [{ "anything-but": { numeric: [">", 1] } }] })).toMatch(
      /Unsupported anything-but pattern: numeric/,
    );
    expect(invalid({ a: [{ "anything-but": { prefix: "" } }] })).toMatch(/Null prefix\/suffix not allowed/);
    expect(invalid({ a: [{ "anything-but": { prefix: 3 } }] })).toMatch(
      /must be a string or a list of strings/,
    );
    expect(invalid({ a: [{ "anything-but": [] }] })).toMatch(/Empty arrays/);
  });

  it("checks numeric expressions", () => {
    expect(invalid({ a: [{ numeric: 5 }] })).toMatch(/Value of numeric must be an array/);
    expect(invalid({ a: [{ numeric: [] }] })).toMatch(/Invalid member in numeric match/);
    expect(invalid({ a: [{ numeric: [5] }] })).toMatch(/Invalid member in numeric match: 5/);
    expect(invalid({ a: [{ numeric: ["~", 5] }] })).toMatch(/Unrecognized numeric range operator: ~/);
    expect(invalid({ a: [{ numeric: ["=", "5"] }] })).toMatch(/Value of equals must be numeric/);
    expect(invalid({ a: [{ numeric: [">"] }] })).toMatch(/Value of > must be numeric/);
    expect(invalid({ a: [{ numeric: ["<", 5, ">", 1] }] })).toMatch(
      /Too many elements in numeric expression/,
    );
    expect(invalid({ a: [{ numeric: [">", 1, ">", 5] }] })).toMatch(/Bad numeric range operator/);
    expect(invalid({ a: [{ numeric: [">", 5, "<", 1] }] })).toMatch(/Bottom must be less than top/);
    expect(invalid({ a: [{ numeric: [">", 1, "<", 5, "<", 9] }] })).toMatch(/Too many terms/);
  });

  it("checks cidr blocks", () => {
    expect(invalid({ a: [{ cidr: 5 }] })).toMatch(/cidr match pattern must be a string/);
    expect(invalid({ a: [{ cidr: "10.0.0.0" }] })).toMatch(/one '\/' required/);
    expect(invalid({ a: [{ cidr: "10.0.0.0/x" }] })).toMatch(/mask bits must be an integer/);
    expect(invalid({ a: [{ cidr: "10.0.0.300/8" }] })).toMatch(/Nonstandard IP address: 10\.0\.0\.300/);
    expect(invalid({ a: [{ cidr: "10.0.0.0/33" }] })).toMatch(/between 0 and 32/);
  });

  it("validates inside $or alternatives", () => {
    expect(invalid({ $or: [{ a: ["x"] }, { b: "y" }] })).toMatch(/"b" must be an object or an array/);
  });

  it("accepts JSON text and exposes the parsed source", () => {
    const compiled = compileEventPattern('{"source":["a"]}');
    expect(compiled.source).toEqual({ source: ["a"] });
    expect(compiled.matches({ source: "a" })).toBe(true);
  });
});
