import { networkCode } from "../aws/errors.js";
import type { PipelineStatus } from "./types.js";

/**
 * Whether a status describes a stack at all: `unreachable` when no part of the target answered
 * (every read failed on the network), `absent` when it answered but none of the stack's functions,
 * rules, queues or mappings exist in this account and region (the table alone does not count: the
 * emulator's DynamoDB is not yet scoped by region, so a table can show up in every region), and
 * `deployed` otherwise. `pipeline status` and `doctor` say the first two in one line instead of
 * printing a screen of "missing" or "unknown" rows.
 */
export type Deployment = { kind: "deployed" } | { kind: "absent" } | { kind: "unreachable"; error: Error };

export function deploymentOf(status: PipelineStatus): Deployment {
  const rows = [...status.rules, ...status.functions, ...status.mappings];
  const errors = [
    ...rows.map((row) => row.error),
    ...status.queues.map((queue) => queue.error),
    status.table.error,
  ];
  const network = errors.filter((text) => text !== undefined && networkCode(new Error(text)) !== undefined);
  if (network.length === errors.length) return { kind: "unreachable", error: new Error(network[0]) };
  const present =
    rows.some((row) => row.state !== "missing" && row.error === undefined) ||
    status.queues.some((queue) => queue.exists);
  return present ? { kind: "deployed" } : { kind: "absent" };
}
