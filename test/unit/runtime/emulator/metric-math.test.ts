import { describe, expect, it } from "vitest";
import {
  evaluateAt,
  MetricMathError,
  parseExpression,
} from "../../../../src/runtime/emulator/services/cloudwatch/metric-math.js";

const at = (expression: string, values: Record<string, number | undefined>) =>
  evaluateAt(parseExpression(expression), new Map(Object.entries(values)), Object.keys(values));

describe("metric math for alarms", () => {
  it("SUM over a list uses the values present; all missing is missing", () => {
    expect(at("SUM([a, b, c])", { a: 2, b: undefined, c: 1 })).toBe(3);
    expect(at("SUM([a, b])", { a: undefined, b: undefined })).toBeUndefined();
    expect(at("SUM(METRICS())", { a: 1, b: 4 })).toBe(5);
  });

  it("arithmetic with precedence; a missing operand or a division by zero is missing", () => {
    expect(at("a + b * 2", { a: 1, b: 3 })).toBe(7);
    expect(at("(a + b) / 2", { a: 1, b: 3 })).toBe(2);
    expect(at("-a + 10", { a: 4 })).toBe(6);
    expect(at("a + b", { a: 1, b: undefined })).toBeUndefined();
    expect(at("a / b", { a: 1, b: 0 })).toBeUndefined();
    expect(at("FILL(a, 0) + 1", { a: undefined })).toBe(1);
    expect(at("MAX([a, b]) - MIN([a, b])", { a: 9, b: 4 })).toBe(5);
  });

  it("unknown ids, unknown functions and malformed expressions are errors", () => {
    expect(() => at("a + z", { a: 1 })).toThrow(MetricMathError);
    expect(() => at("ANOMALY_DETECTION_BAND(a)", { a: 1 })).toThrow(MetricMathError);
    expect(() => parseExpression("SUM([a, b")).toThrow(MetricMathError);
    expect(() => parseExpression("a $ b")).toThrow(MetricMathError);
  });
});
