import type { ServiceName } from "../../../src/runtime/emulator/index.js";
import type { KillScenario } from "../kill-rounds.js";
import { dynamodbScenario } from "./dynamodb.js";
import { dynamodbBackupsScenario } from "./dynamodb-backups.js";
import { eventsScenario } from "./events.js";
import { lambdaAsyncScenario, lambdaMappingScenario } from "./lambda.js";
import {
  cloudwatchScenario,
  iamScenario,
  logsScenario,
  opensearchScenario,
  snsScenario,
  ssmScenario,
} from "./simple.js";
import { sqsScenario } from "./sqs.js";

/**
 * The kill -9 scenarios of every emulator service. test/integration/emulator/crash-kill.test.ts runs
 * each with a few kills, `npm run soak` with many. Keyed by ServiceName, so a service added to the
 * emulator does not compile here until it says how it survives kill -9 (or why it has no state).
 */
export interface KillCase {
  /** What is killed, e.g. "lambda async invocations". */
  label: string;
  scenario: KillScenario<never>;
  /** Where the kill falls in each round (acknowledged effects before it). */
  acknowledgements: { min: number; max: number };
}

type Entry = KillCase[] | { stateless: string } | { sharesStateWith: ServiceName };

const kill = <C>(label: string, scenario: KillScenario<C>, min: number, max: number): KillCase => ({
  label,
  scenario: scenario as unknown as KillScenario<never>,
  acknowledgements: { min, max },
});

export const KILL_CASES: Record<ServiceName, Entry> = {
  dynamodb: [
    kill("dynamodb items and stream records", dynamodbScenario({ mix: "all" }), 20, 120),
    kill("dynamodb backups and point-in-time history", dynamodbBackupsScenario(), 10, 60),
  ],
  dynamodbstreams: { sharesStateWith: "dynamodb" },
  sqs: [kill("sqs sends, receives and deletes", sqsScenario(), 20, 120)],
  events: [kill("events rules and pending retries", eventsScenario(), 10, 60)],
  lambda: [
    kill("lambda async invocations queued or in retry", lambdaAsyncScenario(), 8, 40),
    kill("lambda mapping checkpoints", lambdaMappingScenario(), 15, 60),
  ],
  logs: [kill("logs events", logsScenario(), 20, 120)],
  cloudwatch: [kill("cloudwatch alarms", cloudwatchScenario(), 20, 120)],
  iam: [kill("iam roles", iamScenario(), 20, 120)],
  opensearch: [kill("opensearch documents", opensearchScenario(), 20, 120)],
  sns: [kill("sns publishes to a queue", snsScenario(), 10, 60)],
  ssm: [kill("ssm parameters", ssmScenario(), 20, 120)],
  sts: { stateless: "STS issues credentials the IAM store keeps; it has no state of its own" },
};

/** Every scenario of every service. */
export function killCases(): KillCase[] {
  return Object.values(KILL_CASES).flatMap((entry) => (Array.isArray(entry) ? entry : []));
}
