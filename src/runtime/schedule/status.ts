import type { AwsClients } from "../aws/index.js";
import type { Stack } from "../../pipeline/stack/index.js";
import { DEFAULT_FIRE_TIME_COUNT, upcomingFireTimes } from "./fire-times.js";
import { readRule, ruleDrift, type RuleStatus } from "./rules.js";

export interface ScheduleStatus {
  /** The weekly schedule rule, as deployed. */
  schedule: RuleStatus;
  /** The manual rule `schedule trigger` sends its event through. */
  manual: RuleStatus;
  /** ISO-8601 UTC instants the schedule fires next (it fires only while ENABLED). */
  nextFireTimes: string[];
  /** Differences between the deployed rules and the stack declaration; empty when they match. */
  drift: string[];
}

export interface StatusOptions {
  stack: Stack;
  clients: Pick<AwsClients, "eventbridge">;
  now: Date;
  count?: number;
}

/** Reads both rules with their targets and computes the schedule's next fire times. */
export async function scheduleStatus(options: StatusOptions): Promise<ScheduleStatus> {
  const eventbridge = await options.clients.eventbridge();
  const [schedule, manual] = await Promise.all([
    readRule(eventbridge, options.stack.rules.weekly),
    readRule(eventbridge, options.stack.rules.manual),
  ]);
  const expression = schedule.scheduleExpression;
  const times = expression
    ? upcomingFireTimes(expression, options.now, options.count ?? DEFAULT_FIRE_TIME_COUNT)
    : [];
  return {
    schedule,
    manual,
    nextFireTimes: times.map((time) => time.toISOString()),
    drift: [
      ...ruleDrift(options.stack.rules.weekly, schedule),
      ...ruleDrift(options.stack.rules.manual, manual),
    ],
  };
}
