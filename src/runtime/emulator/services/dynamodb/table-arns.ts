import { ServiceError } from "../../core/errors.js";
import { dynamoErrors } from "./errors.js";

/**
 * DynamoDB accepts a table's ARN wherever it accepts a table name (TableName, the keys of
 * RequestItems, TransactItems[].*.TableName); dynalite knows names only. The emulator swaps ARNs for
 * names on the way in and, where DynamoDB echoes the caller's key (BatchGetItem Responses and
 * UnprocessedKeys, BatchWriteItem UnprocessedItems and ItemCollectionMetrics), puts the caller's
 * spelling back on the way out.
 *
 * Tables belong to an account and a region (regional-states.ts). An ARN of a table in another
 * region names a table this regional endpoint does not have: ResourceNotFoundException. One in
 * another account would need that table's resource-based policy to allow the caller, which the
 * emulator does not model: AccessDeniedException, as AWS answers when no policy allows it.
 */

type Input = Record<string, unknown>;

const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]*):(\d*):table\/([a-zA-Z0-9_.-]{3,255})$/;

/** The table name in a table ARN; undefined for anything else. */
export function tableNameOfArn(value: unknown): string | undefined {
  return typeof value === "string" ? TABLE_ARN.exec(value)?.[3] : undefined;
}

/** Who asks, and where: the request's account and region (and caller ARN, for AccessDenied). */
export interface ArnScope {
  accountId: string;
  region: string;
  callerArn?: string;
}

/** The table's name when `value` is a table ARN of the asking account and region; throws for another's. */
function ownTableName(operation: string, value: unknown, scope: ArnScope | undefined): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = TABLE_ARN.exec(value);
  if (!match) return undefined;
  const [, region, accountId, name] = match as unknown as [string, string, string, string];
  if (!scope) return name;
  if (accountId !== scope.accountId) {
    const caller = scope.callerArn ?? `arn:aws:iam::${scope.accountId}:root`;
    throw new ServiceError(
      "AccessDeniedException",
      `User: ${caller} is not authorized to perform: dynamodb:${operation} on resource: ${value} ` +
        `because no resource-based policy allows the dynamodb:${operation} action`,
    );
  }
  if (region !== scope.region) throw dynamoErrors.tableNotFound(name);
  return name;
}

const ECHOED_MAPS: Record<string, string[]> = {
  BatchGetItem: ["Responses", "UnprocessedKeys"],
  BatchWriteItem: ["UnprocessedItems", "ItemCollectionMetrics"],
};

/**
 * Rewrites ARNs to names in `input` (in place) and returns a function that gives the output the
 * caller's keys back.
 */
export function acceptTableArns(
  operation: string,
  input: Input,
  scope?: ArnScope,
): (output: unknown) => unknown {
  const name = ownTableName(operation, input["TableName"], scope);
  if (name) input["TableName"] = name;
  const spelled = new Map<string, string>();
  const requestItems = input["RequestItems"];
  if (requestItems && typeof requestItems === "object" && !Array.isArray(requestItems)) {
    const renamed: Input = {};
    for (const [key, value] of Object.entries(requestItems as Input)) {
      const tableName = ownTableName(operation, key, scope) ?? key;
      if (tableName !== key) spelled.set(tableName, key);
      renamed[tableName] = value;
    }
    input["RequestItems"] = renamed;
  }
  const transactItems = input["TransactItems"];
  if (Array.isArray(transactItems)) {
    for (const item of transactItems) {
      if (!item || typeof item !== "object") continue;
      for (const action of Object.values(item as Input)) {
        if (!action || typeof action !== "object") continue;
        const actionName = ownTableName(operation, (action as Input)["TableName"], scope);
        if (actionName) (action as Input)["TableName"] = actionName;
      }
    }
  }
  // Tags name their table by ARN only; it too must be the asking account and region's.
  if (operation.endsWith("Resource")) ownTableName(operation, input["ResourceArn"], scope);
  const maps = ECHOED_MAPS[operation];
  if (!maps || spelled.size === 0) return (output) => output;
  return (output) => {
    if (!output || typeof output !== "object") return output;
    const answer = { ...(output as Input) };
    for (const member of maps) {
      const map = answer[member];
      if (!map || typeof map !== "object") continue;
      answer[member] = Object.fromEntries(
        Object.entries(map as Input).map(([key, value]) => [spelled.get(key) ?? key, value]),
      );
    }
    return answer;
  };
}
