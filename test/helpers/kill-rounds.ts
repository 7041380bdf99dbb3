import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulatorProcess, type EmulatorProcess } from "./emulator-process.js";

/**
 * kill -9 in the middle of load, many times, on one state folder. A scenario drives concurrent
 * writers against the emulator and notes each effect the emulator acknowledged; the harness kills
 * the process once a chosen number of acknowledgements arrived (never after a sleep: the kill point
 * is counted, with requests still in flight), restarts it on the same folder and asks the scenario
 * what the restarted emulator lost. What must hold does not depend on where the kill fell: every
 * acknowledged effect is there; what was in flight is there or absent, never half there.
 */

export interface KillScenario<Context> {
  /** The emulator services the scenario needs. */
  services: string[];
  settings?: Record<string, unknown>;
  /** Creates what the load writes to (once, before the first round). */
  setup(url: string, persistDir: string): Promise<Context>;
  /**
   * Drives load until `signal` aborts (the process was killed: requests fail; stop quietly), calling
   * `acknowledged()` once per effect the emulator answered with success.
   */
  load(url: string, context: Context, acknowledged: () => void, signal: AbortSignal): Promise<void>;
  /**
   * After a restart: the acknowledged effects the emulator lost (descriptions; [] = none), and how
   * many acknowledged effects it checked. May wait for conditions (work resumed after the restart).
   */
  verify(url: string, context: Context): Promise<{ checked: number; lost: string[] }>;
  /** Notes what it needs about the moment of the kill (the process is dead, not yet restarted). */
  afterKill?(context: Context): void;
  /** Releases what setup made outside the emulator (a test HTTP server). */
  teardown?(context: Context): Promise<void>;
}

export interface KillReport {
  rounds: number;
  kills: number;
  acknowledged: number;
  checked: number;
  lost: string[];
  recovery: string[];
}

export interface KillOptions {
  /** How many times the process is killed. */
  kills: number;
  /** The kill comes after between min and max acknowledgements in a round (varied per round). */
  acknowledgements: { min: number; max: number };
  /** Keep the folder for a post-mortem (printed) instead of deleting it. */
  keep?: boolean;
}

export async function runKillRounds<Context>(
  scenario: KillScenario<Context>,
  options: KillOptions,
): Promise<KillReport> {
  const persistDir = mkdtempSync(join(tmpdir(), "pipeline-kill-"));
  const report: KillReport = { rounds: 0, kills: 0, acknowledged: 0, checked: 0, lost: [], recovery: [] };
  const start = () =>
    startEmulatorProcess({
      persistDir,
      services: scenario.services,
      ...(scenario.settings ? { settings: scenario.settings } : {}),
    });
  let emulator: EmulatorProcess | undefined;
  let context: Context | undefined;
  try {
    emulator = await start();
    context = await scenario.setup(emulator.url, persistDir);
    for (let round = 0; round < options.kills; round++) {
      const { min, max } = options.acknowledgements;
      // Spread the kill points over the range, deterministically per round.
      const target = min + Math.round(((max - min) * ((round * 7919) % 97)) / 96);
      const controller = new AbortController();
      let killing = false;
      let count = 0;
      let reached!: () => void;
      const killPoint = new Promise<void>((resolve) => (reached = resolve));
      const load = scenario
        .load(
          emulator.url,
          context,
          () => {
            count++;
            report.acknowledged++;
            if (count === target) reached();
          },
          controller.signal,
        )
        .catch((error: unknown) => {
          // Requests in flight at the kill fail (connection reset or refused): that is the test.
          if (!killing) throw error;
        });
      // The load may also end by itself before the kill point (a short scenario): kill then.
      await Promise.race([killPoint, load]);
      killing = true;
      await emulator.kill9();
      report.kills++;
      scenario.afterKill?.(context);
      // Only now do the writers stop: the kill met requests in flight.
      controller.abort();
      await load;
      emulator = await start();
      report.rounds++;
      report.recovery.push(...emulator.recovery.map((note) => note.message));
      const verdict = await scenario.verify(emulator.url, context);
      report.checked = verdict.checked;
      report.lost.push(...verdict.lost.map((lost) => `after kill ${report.kills}: ${lost}`));
    }
    return report;
  } finally {
    await emulator?.kill9();
    if (context !== undefined) await scenario.teardown?.(context);
    if (options.keep) console.log(`kill rounds: state folder kept at ${persistDir}`);
    else rmSync(persistDir, { recursive: true, force: true });
  }
}

/** Runs `count` async workers over `work` until the signal aborts or work returns false. */
export async function workers(
  count: number,
  signal: AbortSignal,
  work: (worker: number, step: number) => Promise<boolean | void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async (_, worker) => {
      for (let step = 0; !signal.aborted; step++) {
        if ((await work(worker, step)) === false) return;
      }
    }),
  );
}
