import { OperatorError } from "../config/errors.js";
import {
  PIPELINE_SERVICES,
  probeLocalStack,
  readiness,
  type LocalStackProbe,
  type Readiness,
} from "./health.js";

export class LocalStackNotReadyError extends OperatorError {
  override name = "LocalStackNotReadyError";
  override readonly exitCode = 1;
  constructor(
    message: string,
    readonly last: LocalStackProbe,
  ) {
    super(message);
  }
}

export interface WaitProgress {
  elapsedMs: number;
  probe: LocalStackProbe;
  readiness: Readiness;
}

export interface WaitOptions {
  /** How long to wait in total before giving up. */
  deadlineMs: number;
  /** Pause between probes. */
  intervalMs?: number;
  requiredServices?: readonly string[];
  /** Called after every probe that did not find LocalStack ready. */
  onProgress?: (progress: WaitProgress) => void;
  signal?: AbortSignal;
  /** Time source and pause, injected by tests; the wall clock by default. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface ReadyLocalStack {
  probe: Extract<LocalStackProbe, { reachable: true }>;
  elapsedMs: number;
}

/**
 * Polls LocalStack's health and init endpoints until every required service is usable and the
 * READY init hooks have completed; throws with what was still missing when the deadline passes,
 * at once when an init script failed (waiting longer cannot fix it).
 */
export async function waitForLocalStack(endpoint: string, options: WaitOptions): Promise<ReadyLocalStack> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const interval = options.intervalMs ?? 1000;
  const required = options.requiredServices ?? PIPELINE_SERVICES;
  const started = now();
  for (;;) {
    options.signal?.throwIfAborted();
    const probe = await probeLocalStack(endpoint, Math.min(2000, Math.max(250, options.deadlineMs)));
    const state = readiness(probe, required);
    const elapsedMs = now() - started;
    if (state.ready && probe.reachable) return { probe, elapsedMs };
    if (state.failedScripts.length) {
      const names = state.failedScripts.map((script) => `${script.stage}/${script.name}`).join(", ");
      throw new LocalStackNotReadyError(
        `LocalStack init script failed: ${names}; see its output with: docker logs pipeline-localstack`,
        probe,
      );
    }
    options.onProgress?.({ elapsedMs, probe, readiness: state });
    if (elapsedMs + interval > options.deadlineMs) {
      const detail = probe.reachable ? state.waitingFor : `${state.waitingFor}: ${probe.detail}`;
      throw new LocalStackNotReadyError(
        `LocalStack at ${probe.endpoint} was not ready within ${Math.round(options.deadlineMs / 1000)} s ` +
          `(still waiting for ${detail})`,
        probe,
      );
    }
    await sleep(interval, options.signal);
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
