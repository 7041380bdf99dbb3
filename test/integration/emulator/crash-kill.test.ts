import { describe, expect, it } from "vitest";
import { runKillRounds } from "../../helpers/kill-rounds.js";
import { KILL_CASES } from "../../helpers/kill-scenarios/index.js";

/**
 * Every acknowledged effect survives kill -9: each service under load, killed a few times in the
 * middle of it, restarted on the same state folder, checked (npm run soak runs the same scenarios
 * with many more kills and writes).
 */

const KILLS = 2;

describe("emulator: kill -9 mid-load", () => {
  for (const [name, entry] of Object.entries(KILL_CASES)) {
    if (!entry) continue;
    it(`${name}: nothing acknowledged is lost`, async () => {
      const report = await runKillRounds(entry.scenario, {
        kills: KILLS,
        acknowledgements: { min: entry.acknowledgements.min, max: Math.min(entry.acknowledgements.max, 60) },
      });
      expect(report.kills).toBe(KILLS);
      expect(report.checked).toBeGreaterThan(0);
      expect(report.lost).toEqual([]);
    });
  }
});
