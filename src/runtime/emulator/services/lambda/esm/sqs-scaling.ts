import { SQS_INITIAL_CONCURRENCY, SQS_MAX_CONCURRENT_BATCHES, SQS_SCALE_UP_INTERVAL_MS } from "./limits.js";

/** What bounds a mapping's concurrent batches besides Lambda's own scaling. */
export interface ScalingBounds {
  /** The mapping's ScalingConfig.MaximumConcurrency, when set. */
  maximumConcurrency?: number;
  /** How many invocations of the function this emulator can run at once. */
  capacity: number;
}

/**
 * How many batches one SQS mapping may have in flight, following AWS's documented scaling for
 * standard queues (services-sqs-scaling, services-sqs-errorhandling): one long poller while the
 * queue is empty; five concurrent batches as soon as messages arrive; one more every 200 ms
 * (300 a minute) while messages are still waiting, up to 1,000 batches or MaximumConcurrency;
 * one fewer per empty receive when traffic drops, and one fewer per function error or throttle
 * (Lambda backs off). The emulator adds one bound of its own: never more batches than the
 * function can run at once here, so received messages do not sit invisible waiting for an
 * execution environment.
 */
export class PollerScaler {
  private allowance = 1;
  /** True while the mapping is idle (long polling): the next arrival opens five batches at once. */
  private idle = true;
  private growthFrom: number;

  constructor(
    private readonly bounds: ScalingBounds,
    now: number,
  ) {
    this.growthFrom = now;
  }

  /** The most batches (and so invocations) this mapping may have in flight at once. */
  ceiling(): number {
    return Math.max(
      1,
      Math.min(
        this.bounds.maximumConcurrency ?? SQS_MAX_CONCURRENT_BATCHES,
        SQS_MAX_CONCURRENT_BATCHES,
        this.bounds.capacity,
      ),
    );
  }

  /** How many batches may be in flight right now. */
  allowed(): number {
    return Math.min(this.allowance, this.ceiling());
  }

  /** A receive filled its request: more messages are probably waiting. */
  messagesWaiting(now: number): void {
    if (this.idle) {
      this.idle = false;
      this.allowance = Math.max(this.allowance, SQS_INITIAL_CONCURRENCY);
      this.growthFrom = now;
      return;
    }
    if (this.allowance >= this.ceiling()) {
      this.growthFrom = now;
      return;
    }
    const steps = Math.floor((now - this.growthFrom) / SQS_SCALE_UP_INTERVAL_MS);
    if (steps <= 0) return;
    this.allowance = Math.min(SQS_MAX_CONCURRENT_BATCHES, this.allowance + steps);
    this.growthFrom += steps * SQS_SCALE_UP_INTERVAL_MS;
  }

  /** A receive came back empty: scale back, down to the one long poller. */
  queueEmpty(now: number): void {
    this.allowance = Math.max(1, Math.min(this.allowance, this.ceiling()) - 1);
    if (this.allowance === 1) this.idle = true;
    this.growthFrom = now;
  }

  /** A function error (without ReportBatchItemFailures) or a throttle: Lambda backs off. */
  backOff(now: number): void {
    this.allowance = Math.max(1, Math.min(this.allowance, this.ceiling()) - 1);
    this.growthFrom = now;
  }
}

/**
 * The batches one mapping has in flight, shared by the worker generations of that mapping: after
 * an update the old worker's batches finish while the new worker starts, and together they never
 * exceed the new worker's ceiling.
 */
export class BatchSlots {
  private held = 0;

  get inFlight(): number {
    return this.held;
  }

  tryAcquire(limit: number): boolean {
    if (this.held >= limit) return false;
    this.held++;
    return true;
  }

  release(): void {
    this.held = Math.max(0, this.held - 1);
  }
}
