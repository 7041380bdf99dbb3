import type { RequestContext } from "../../core/request.js";
import type { Operation } from "../../core/service.js";
import { ServiceError } from "../../core/errors.js";
import { busRecord } from "./buses.js";
import type { EventsCore } from "./core.js";
import { boundRule, eventsErrors } from "./errors.js";
import {
  BUS_NAME_MAX_LENGTH,
  BUS_POLICY_MAX_BYTES,
  NON_PARTNER_BUS_NAME_PATTERN,
  PERMISSION_ACTION_PATTERN,
  PERMISSION_PRINCIPAL_PATTERN,
  STATEMENT_ID_MAX_LENGTH,
  STATEMENT_ID_PATTERN,
} from "./limits.js";
import type { BusRecord } from "./models.js";
import { requireModelName } from "./validate.js";

const { constraint, validation } = eventsErrors;

interface Statement {
  Sid?: string;
  [field: string]: unknown;
}
interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}

/**
 * PutPermission and RemovePermission: the bus's resource policy, built statement by statement as
 * EventBridge builds it (Sid, Allow, the account's root or `*`, the action, the bus ARN, and an
 * organization condition), or replaced whole by a `Policy` document. DescribeEventBus returns it.
 * The policy is stored, not enforced: this emulator delivers no events across accounts.
 */
export function busPermissionOperations(core: EventsCore): Record<string, Operation> {
  function requireBus(value: unknown, context: RequestContext): BusRecord {
    const name =
      value === undefined || value === null
        ? "default"
        : requireModelName(
            value,
            "eventBusName",
            BUS_NAME_MAX_LENGTH,
            NON_PARTNER_BUS_NAME_PATTERN,
            "[\\.\\-_A-Za-z0-9]+",
          );
    const bus = busRecord(core, name, context);
    if (!bus) throw eventsErrors.busNotFound(name);
    return bus;
  }

  function save(bus: BusRecord, policy: PolicyDocument | undefined): void {
    const now = core.env.clock.now();
    const updated: BusRecord = { ...bus, creationTime: bus.creationTime || now, lastModifiedTime: now };
    if (policy && policy.Statement.length > 0) {
      const text = JSON.stringify(policy);
      if (Buffer.byteLength(text) > BUS_POLICY_MAX_BYTES) {
        throw new ServiceError(
          "PolicyLengthExceededException",
          `The permission policy on event bus ${bus.name} would exceed ${BUS_POLICY_MAX_BYTES / 1024} KB.`,
          400,
        );
      }
      updated.policy = text;
    } else {
      delete updated.policy;
    }
    core.store.putResource("bus", updated);
  }

  const current = (bus: BusRecord): PolicyDocument | undefined =>
    bus.policy ? (JSON.parse(bus.policy) as PolicyDocument) : undefined;

  function modelString(value: unknown, field: string, max: number, pattern: RegExp, text: string) {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" || value.length < 1 || value.length > max) {
      throw constraint(
        field,
        value,
        boundRule("length", typeof value === "string" ? value.length : 0, 1, max),
      );
    }
    if (!pattern.test(value)) throw constraint(field, value, `satisfy regular expression pattern: ${text}`);
    return value;
  }

  return {
    PutPermission: async (input: Record<string, unknown>, context: RequestContext) => {
      const bus = requireBus(input["EventBusName"], context);
      const action = modelString(
        input["Action"],
        "action",
        64,
        PERMISSION_ACTION_PATTERN,
        "events:[a-zA-Z]+",
      );
      const principal = modelString(
        input["Principal"],
        "principal",
        12,
        PERMISSION_PRINCIPAL_PATTERN,
        "(\\d{12}|\\*)",
      );
      const sid = modelString(
        input["StatementId"],
        "statementId",
        STATEMENT_ID_MAX_LENGTH,
        STATEMENT_ID_PATTERN,
        "[a-zA-Z0-9-_]+",
      );
      const condition = input["Condition"] as Record<string, unknown> | undefined | null;
      const policyText = input["Policy"];

      if (policyText !== undefined && policyText !== null) {
        if (action || principal || sid || condition) {
          throw validation(
            "Parameter Policy cannot be combined with Action, Principal, StatementId or Condition.",
          );
        }
        save(bus, policyDocument(policyText));
        return {};
      }
      if (!action || !principal || !sid) {
        throw validation(
          "Parameters Action, Principal and StatementId are required when Policy is not given.",
        );
      }
      if (action !== "events:PutEvents") {
        throw validation(
          `Parameter Action is not valid. Reason: only events:PutEvents is supported, not ${action}.`,
        );
      }
      const statement: Statement = {
        Sid: sid,
        Effect: "Allow",
        Principal: principal === "*" ? "*" : { AWS: `arn:aws:iam::${principal}:root` },
        Action: action,
        Resource: bus.arn,
      };
      if (condition) {
        const type = condition["Type"];
        const key = condition["Key"];
        const value = condition["Value"];
        for (const [field, member] of [
          ["type", type],
          ["key", key],
          ["value", value],
        ] as const) {
          if (typeof member !== "string") throw constraint(`condition.${field}`, "null", "not be null");
        }
        if (type !== "StringEquals" || key !== "aws:PrincipalOrgID") {
          throw validation(
            "Parameter Condition is not valid. Reason: the only condition supported is Type StringEquals with Key aws:PrincipalOrgID.",
          );
        }
        statement["Condition"] = { StringEquals: { "aws:PrincipalOrgID": value } };
      }
      const policy = current(bus) ?? { Version: "2012-10-17", Statement: [] };
      // A statement id given again replaces that statement.
      const at = policy.Statement.findIndex((s) => s.Sid === sid);
      if (at >= 0) policy.Statement[at] = statement;
      else policy.Statement.push(statement);
      save(bus, policy);
      return {};
    },

    RemovePermission: async (input: Record<string, unknown>, context: RequestContext) => {
      const bus = requireBus(input["EventBusName"], context);
      const sid = modelString(
        input["StatementId"],
        "statementId",
        STATEMENT_ID_MAX_LENGTH,
        STATEMENT_ID_PATTERN,
        "[a-zA-Z0-9-_]+",
      );
      if (input["RemoveAllPermissions"] === true) {
        if (bus.policy) save(bus, undefined);
        return {};
      }
      if (!sid) throw validation("Parameter StatementId is required unless RemoveAllPermissions is true.");
      const policy = current(bus);
      if (!policy || !policy.Statement.some((s) => s.Sid === sid)) {
        throw eventsErrors.notFound("Statement with the provided id does not exist.");
      }
      save(bus, { ...policy, Statement: policy.Statement.filter((s) => s.Sid !== sid) });
      return {};
    },
  };
}

/** A `Policy` given whole: a JSON object with a Statement list (one statement object is a list of one). */
function policyDocument(value: unknown): PolicyDocument {
  let parsed: unknown;
  try {
    parsed = typeof value === "string" ? JSON.parse(value) : undefined;
  } catch {
    parsed = undefined;
  }
  const statement = (parsed as { Statement?: unknown } | undefined)?.Statement;
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed) || statement === undefined) {
    throw validation(
      "Parameter Policy is not valid. Reason: it must be a JSON policy document with a Statement.",
    );
  }
  const list = Array.isArray(statement) ? statement : [statement];
  if (list.some((s) => !s || typeof s !== "object" || Array.isArray(s))) {
    throw validation("Parameter Policy is not valid. Reason: each Statement must be a JSON object.");
  }
  return { ...(parsed as PolicyDocument), Statement: list as Statement[] };
}
