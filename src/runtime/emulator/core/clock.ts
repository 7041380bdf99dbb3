/**
 * Time as a dependency. Every delay in the emulator (visibility timeouts, retries, schedules,
 * batching windows) goes through a Clock, so tests can advance a ManualClock instead of sleeping.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once `ms` have passed on this clock. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Resolves once `ms` have passed on this clock (or rejects when the signal aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
    const onAbort = () => {
      timer.cancel();
      reject(signal?.reason ?? new Error("aborted"));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle = setTimeout(callback, Math.max(0, ms));
    // Emulator timers must never keep a CLI process alive on their own.
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }
}

interface PendingTimer {
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to; timers fire in due order during `advance`. */
export class ManualClock implements Clock {
  private current: number;
  private timers: PendingTimer[] = [];
  private seq = 0;

  constructor(start: number | Date = Date.UTC(2026, 0, 4, 0, 0, 0)) {
    this.current = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: PendingTimer = {
      at: this.current + Math.max(0, ms),
      seq: this.seq++,
      callback,
      cancelled: false,
    };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Moves time forward by `ms`, firing due timers in order and letting their promise chains settle. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      const next = this.timers
        .filter((t) => !t.cancelled && t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.at);
      next.callback();
    }
    this.current = target;
    this.timers = this.timers.filter((t) => !t.cancelled);
    await settle();
  }

  /** Sets the time (forward only), firing what falls due. */
  async set(time: number | Date): Promise<void> {
    const at = typeof time === "number" ? time : time.getTime();
    await this.advance(Math.max(0, at - this.current));
  }
}

/** Lets already-queued promise callbacks and I/O callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
