import { afterAll, describe, expect, it } from "vitest";
import { runKillRounds, type KillReport } from "../helpers/kill-rounds.js";
import { dynamodbScenario } from "../helpers/kill-scenarios/dynamodb.js";
import { killCases } from "../helpers/kill-scenarios/index.js";

/**
 * The soak: every service's kill scenario killed many times (SOAK_KILLS, default 20), and the
 * issue's DynamoDB repro: 1,500 PutItems from 8 writers per run, kill -9 somewhere in the middle,
 * restart on the same --persist folder, compare the table with the stream; 20 times.
 */

const KILLS = Number(process.env["SOAK_KILLS"] ?? 20);
const results: { name: string; report: KillReport }[] = [];

/**
 * Kills after which something acknowledged was missing for the first time. A loss stays lost: it is
 * reported again after every later kill, which does not make those kills lost ones too.
 */
function roundsWithNewLosses(lost: string[]): number {
  const seen = new Set<string>();
  const rounds = new Set<string>();
  for (const line of lost) {
    const at = line.indexOf(":");
    const what = line.slice(at + 2);
    if (!seen.has(what)) rounds.add(line.slice(0, at));
    seen.add(what);
  }
  return rounds.size;
}

afterAll(() => {
  const rows = results.map(({ name, report }) => ({
    scenario: name,
    kills: report.kills,
    survived: report.kills - roundsWithNewLosses(report.lost),
    acknowledged: report.acknowledged,
    // A loss stays lost: it is reported after every later kill too; count it once.
    lost: new Set(report.lost.map((lost) => lost.slice(lost.indexOf(":") + 2))).size,
  }));
  console.log(
    "\nkill -9 soak (kills survived = kills that lost nothing acknowledged; a loss counts at the kill it first showed after)",
  );
  console.table(rows);
  for (const { name, report } of results) {
    for (const lost of report.lost.slice(0, 20)) console.log(`  ${name}: ${lost}`);
    if (report.recovery.length)
      console.log(`  ${name}: recovery said ${report.recovery.length} time(s), e.g. ${report.recovery[0]}`);
  }
});

describe("soak: kill -9 mid-load", () => {
  it("dynamodb: 1,500 PutItems from 8 writers per run, killed mid-way, 20 times", async () => {
    const report = await runKillRounds(dynamodbScenario({ mix: "puts", writesPerRound: 1500 }), {
      kills: KILLS,
      acknowledgements: { min: 300, max: 1200 },
    });
    results.push({ name: "dynamodb PutItem repro", report });
    expect(report.lost).toEqual([]);
  });

  for (const { label, scenario, acknowledgements } of killCases()) {
    it(`${label}: nothing acknowledged is lost`, async () => {
      const report = await runKillRounds(scenario, { kills: KILLS, acknowledgements });
      results.push({ name: label, report });
      expect(report.lost).toEqual([]);
    });
  }
});
