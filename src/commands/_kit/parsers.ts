import { InvalidArgumentError } from "commander";
import { option, type OptionSpec } from "./define.js";

/** Parses an integer flag value within bounds; a bad value is a usage error naming the range. */
export function parseInteger(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return value;
  };
}

/** Parses a count with no upper bound (1 or more). */
export function parseCount(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < 1 || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError("expected an integer of 1 or more");
  }
  return value;
}

/** `--count <n>` style option with bounds and a default. */
export function integerOption(
  flags: string,
  description: string,
  bounds: { min: number; max: number; default: number },
): OptionSpec<number, true> {
  return option<number>(flags, `${description} (${bounds.min}-${bounds.max})`, {
    parse: parseInteger(bounds.min, bounds.max),
    default: bounds.default,
  });
}
