import { nextFireTimes, ScheduleExpressionError } from "../emulator/index.js";
import { OperatorError } from "../config/errors.js";

/** How many upcoming fire times `schedule status` shows. */
export const DEFAULT_FIRE_TIME_COUNT = 5;

/**
 * The next `count` instants (UTC) an EventBridge schedule expression fires after `after`. A rate()
 * schedule counts its periods from when the rule was created, which the API does not return: the
 * count starts at `anchor` when given, else at `after` (so the first time is one period from now).
 */
export function upcomingFireTimes(
  expression: string,
  after: Date,
  count = DEFAULT_FIRE_TIME_COUNT,
  anchor?: Date,
): Date[] {
  try {
    return nextFireTimes(expression, after, count, anchor);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) throw new OperatorError(error.message);
    throw error;
  }
}
