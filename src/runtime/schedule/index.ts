/**
 * The schedule engine: the weekly rule's status and next fire times, "run it now" (through the
 * manual rule, or by invoking the targets directly with the scheduled-event payload), and
 * enable/disable gated by the verification record. Returns data, never prints.
 */
export { DEFAULT_FIRE_TIME_COUNT, upcomingFireTimes } from "./fire-times.js";
export { functionNameOf, readRule, ruleDrift, RuleNotDeployedError } from "./rules.js";
export type { RuleStatus, TargetStatus } from "./rules.js";
export { eventTime, scheduledEvent } from "./scheduled-event.js";
export type { ScheduledEvent } from "./scheduled-event.js";
export { scheduleStatus } from "./status.js";
export type { ScheduleStatus, StatusOptions } from "./status.js";
export { manualEventShape, triggerSchedule } from "./trigger.js";
export type {
  DirectInvocation,
  DirectTriggerResult,
  RuleTriggerResult,
  TriggerOptions,
  TriggerResult,
} from "./trigger.js";
export { disableSchedule, EnablementRefusedError, enableRule, enableSchedule } from "./toggle.js";
export type { DisableOptions, EnableOptions, ToggleResult } from "./toggle.js";
