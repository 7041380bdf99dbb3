import type { Clock, TimerHandle } from "../../core/clock.js";
import { MAX_TIMER_STEP_MS } from "./limits.js";
import { keyOf, type RuleRecord } from "./models.js";
import { parseScheduleExpression } from "./schedule-expression.js";

/**
 * Fires ENABLED schedule rules on the emulator clock. Each rule has at most one timer, set for its
 * next fire time; firing re-arms from the scheduled instant (no drift), and a late wake-up (the
 * machine slept) skips missed instants instead of catching up, as EventBridge does.
 */
export class RuleScheduler {
  private readonly timers = new Map<string, TimerHandle>();
  private readonly nextAt = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly fire: (rule: RuleRecord, scheduledAt: number) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** (Re)arms the rule's timer from its current state; cancels it when the rule has no schedule. */
  arm(rule: RuleRecord, after = this.clock.now()): void {
    this.cancel(rule);
    if (this.stopped || rule.state === "DISABLED" || !rule.scheduleExpression) return;
    let next: Date | undefined;
    try {
      next = parseScheduleExpression(rule.scheduleExpression).next(
        new Date(after),
        new Date(rule.scheduleAnchor),
      );
    } catch (error) {
      this.onError(error);
      return;
    }
    if (!next) return;
    this.nextAt.set(keyOf(rule), next.getTime());
    this.wait(rule, next.getTime());
  }

  cancel(rule: RuleRecord): void {
    const key = keyOf(rule);
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
    this.nextAt.delete(key);
  }

  /** The armed fire time of a rule (epoch ms), if any. */
  next(rule: RuleRecord): number | undefined {
    return this.nextAt.get(keyOf(rule));
  }

  get armed(): number {
    return this.timers.size;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    this.nextAt.clear();
  }

  private wait(rule: RuleRecord, at: number): void {
    const key = keyOf(rule);
    const delay = at - this.clock.now();
    const step = Math.min(Math.max(0, delay), MAX_TIMER_STEP_MS);
    const timer = this.clock.setTimeout(() => {
      if (this.timers.get(key) !== timer) return;
      if (at > this.clock.now()) {
        this.wait(rule, at);
        return;
      }
      this.timers.delete(key);
      try {
        this.fire(rule, at);
      } catch (error) {
        this.onError(error);
      }
      this.arm(rule, Math.max(at, this.clock.now()));
    }, step);
    this.timers.set(key, timer);
  }
}
