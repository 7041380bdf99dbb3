import type { ServiceName } from "../../../src/runtime/emulator/index.js";
import type { KillScenario } from "../kill-rounds.js";
import { dynamodbScenario } from "./dynamodb.js";

/**
 * The kill -9 scenario of every emulator service. test/integration/emulator/crash-kill.test.ts runs
 * each with a few kills, `npm run soak` with many.
 */
export interface KillCase {
  scenario: KillScenario<never>;
  /** Where the kill falls in each round (acknowledged effects before it). */
  acknowledgements: { min: number; max: number };
}

export const KILL_CASES: Partial<Record<ServiceName, KillCase>> = {
  dynamodb: {
    scenario: dynamodbScenario({ mix: "all" }) as KillScenario<never>,
    acknowledgements: { min: 20, max: 120 },
  },
};

export const SOAK_SCENARIOS: Record<string, KillCase> = Object.fromEntries(
  Object.entries(KILL_CASES).map(([name, entry]) => [name, entry as KillCase]),
);
