import { DescribeRuleCommand, DisableRuleCommand, EnableRuleCommand } from "@aws-sdk/client-eventbridge";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { RuleDeclaration, Stack } from "../../pipeline/stack/index.js";
import type { AwsClients } from "../aws/index.js";
import { OperatorError } from "../config/errors.js";
import { DEFAULT_MAX_AGE_MS, enablementGate, type GateResult } from "../records/index.js";
import { upcomingFireTimes } from "./fire-times.js";
import { ruleNotDeployed } from "./rules.js";

export interface ToggleResult {
  rule: string;
  arn: string;
  account: string;
  region: string;
  /** State before the command. */
  before: string;
  /** State read back after the command. */
  after: string;
  changed: boolean;
  /** The operator answered no to the confirmation: nothing was changed. */
  declined: boolean;
  /** The verification record's verdict (enable only; absent when the rule was already enabled). */
  gate: GateResult | undefined;
  /** Enabled despite missing prerequisite passes. */
  forced: boolean;
  /** When the rule fires next (after enabling). */
  nextFireTimes: string[];
}

/** Refused by the verification record: the stack has not been proven on this target and account. */
export class EnablementRefusedError extends OperatorError {
  override name = "EnablementRefusedError";
  constructor(
    readonly gate: GateResult,
    at: { target: string; account: string; region: string },
  ) {
    const missing = gate.missing.map((phase) => phase.replace("phase-", "").toUpperCase()).join(", ");
    super(
      `refusing to enable the weekly schedule: no recent pass of phase ${missing} for target ${at.target}, ` +
        `account ${at.account}, region ${at.region}; run pipeline verify all --target ${at.target} ` +
        "(or pass --force to enable anyway)",
    );
  }
}

export interface EnableOptions {
  stack: Stack;
  clients: Pick<AwsClients, "eventbridge" | "accountId" | "target">;
  /** Folder of the verification record. */
  stateDir: string;
  now: Date;
  /** Enable even without recent passes of 4A–4C. */
  force: boolean;
  /**
   * Asked before changing a rule on AWS (the question names account and region); the command
   * answers it (a prompt, or --yes). Not asked on local targets.
   */
  confirm: (question: string) => Promise<boolean>;
  maxAgeMs?: number;
}

/**
 * Enables the weekly rule with EnableRule (PutRule would replace the whole rule), gated by the
 * verification record, and reads the state back.
 */
export async function enableSchedule(options: EnableOptions): Promise<ToggleResult> {
  const rule = options.stack.rules.weekly;
  const eventbridge = await options.clients.eventbridge();
  const at = {
    target: options.clients.target,
    account: await options.clients.accountId(),
    region: options.stack.params.region,
  };
  const before = await ruleState(eventbridge, rule);
  const base = { rule: rule.name, arn: rule.arn, account: at.account, region: at.region, before };
  if (before === "ENABLED") {
    return {
      ...base,
      after: before,
      changed: false,
      declined: false,
      gate: undefined,
      forced: false,
      nextFireTimes: fireTimes(rule, options.now),
    };
  }
  const gate = enablementGate(options.stateDir, at, options.now, options.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
  if (!gate.ok && !options.force) throw new EnablementRefusedError(gate, at);
  if (at.target === "aws") {
    const yes = await options.confirm(
      `Enable ${rule.name} (${rule.definition.ScheduleExpression ?? "schedule"}) in AWS account ${at.account}, ` +
        `region ${at.region}? It then runs all four scrapers on schedule.`,
    );
    if (!yes)
      return {
        ...base,
        after: before,
        changed: false,
        declined: true,
        gate,
        forced: false,
        nextFireTimes: [],
      };
  }
  const after = await enableRule(eventbridge, rule);
  if (after !== "ENABLED") {
    throw new Error(`EnableRule on ${rule.name} succeeded but the rule reads back ${after}`);
  }
  return {
    ...base,
    after,
    changed: true,
    declined: false,
    gate,
    forced: !gate.ok,
    nextFireTimes: fireTimes(rule, options.now),
  };
}

export interface DisableOptions {
  stack: Stack;
  clients: Pick<AwsClients, "eventbridge" | "accountId">;
}

/** Disables the weekly rule (DisableRule) and reads the state back. Never gated: stopping is always safe. */
export async function disableSchedule(options: DisableOptions): Promise<ToggleResult> {
  const rule = options.stack.rules.weekly;
  const eventbridge = await options.clients.eventbridge();
  const account = await options.clients.accountId();
  const before = await ruleState(eventbridge, rule);
  const base = { rule: rule.name, arn: rule.arn, account, region: options.stack.params.region, before };
  if (before === "DISABLED") {
    return {
      ...base,
      after: before,
      changed: false,
      declined: false,
      gate: undefined,
      forced: false,
      nextFireTimes: [],
    };
  }
  await eventbridge.send(new DisableRuleCommand({ Name: rule.name, ...busOf(rule) }));
  const after = await ruleState(eventbridge, rule);
  if (after !== "DISABLED") {
    throw new Error(`DisableRule on ${rule.name} succeeded but the rule reads back ${after}`);
  }
  return {
    ...base,
    after,
    changed: true,
    declined: false,
    gate: undefined,
    forced: false,
    nextFireTimes: [],
  };
}

/**
 * EnableRule (never PutRule, which replaces the whole rule) on the rule's own bus, and the state
 * DescribeRule reads back. Shared by `schedule enable` and verify's phase 4D.
 */
export async function enableRule(eventbridge: EventBridgeClient, rule: RuleDeclaration): Promise<string> {
  await eventbridge.send(new EnableRuleCommand({ Name: rule.name, ...busOf(rule) }));
  return ruleState(eventbridge, rule);
}

function busOf(rule: RuleDeclaration): { EventBusName?: string } {
  return rule.definition.EventBusName ? { EventBusName: rule.definition.EventBusName } : {};
}

async function ruleState(eventbridge: EventBridgeClient, rule: RuleDeclaration): Promise<string> {
  try {
    const described = await eventbridge.send(new DescribeRuleCommand({ Name: rule.name, ...busOf(rule) }));
    return described.State ?? "UNKNOWN";
  } catch (error) {
    if (error instanceof Error && error.name === "ResourceNotFoundException") throw ruleNotDeployed(rule);
    throw error;
  }
}

function fireTimes(rule: RuleDeclaration, now: Date): string[] {
  const expression = rule.definition.ScheduleExpression;
  return expression ? upcomingFireTimes(expression, now).map((time) => time.toISOString()) : [];
}
