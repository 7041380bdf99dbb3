import { describe, expect, it } from "vitest";
import { runKillRounds } from "../../helpers/kill-rounds.js";
import { killCases } from "../../helpers/kill-scenarios/index.js";

/**
 * Every acknowledged effect survives kill -9: each service under load, killed a few times in the
 * middle of it, restarted on the same state folder, checked. The scenarios are in
 * test/helpers/kill-scenarios (one per service, required for every ServiceName); `npm run soak`
 * runs them with many more kills.
 */

const KILLS = 2;

describe("emulator: kill -9 mid-load", () => {
  for (const { label, scenario, acknowledgements } of killCases()) {
    it(`${label}: nothing acknowledged is lost`, async () => {
      const report = await runKillRounds(scenario, {
        kills: KILLS,
        acknowledgements: { min: acknowledgements.min, max: Math.min(acknowledgements.max, 60) },
      });
      expect(report.kills).toBe(KILLS);
      expect(report.checked).toBeGreaterThan(0);
      expect(report.lost).toEqual([]);
    });
  }
});
