/**
 * DynamoDB accepts a table's ARN wherever it accepts a table name (TableName, the keys of
 * RequestItems, TransactItems[].*.TableName); dynalite knows names only. The emulator swaps ARNs for
 * names on the way in and, where DynamoDB echoes the caller's key (BatchGetItem Responses and
 * UnprocessedKeys, BatchWriteItem UnprocessedItems and ItemCollectionMetrics), puts the caller's
 * spelling back on the way out. The emulator keeps one table namespace, so the ARN's account and
 * region are not compared (account and region scoping is not modelled yet).
 */

type Input = Record<string, unknown>;

const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]*:\d*:table\/([a-zA-Z0-9_.-]{3,255})$/;

/** The table name in a table ARN; undefined for anything else. */
export function tableNameOfArn(value: unknown): string | undefined {
  return typeof value === "string" ? TABLE_ARN.exec(value)?.[1] : undefined;
}

const ECHOED_MAPS: Record<string, string[]> = {
  BatchGetItem: ["Responses", "UnprocessedKeys"],
  BatchWriteItem: ["UnprocessedItems", "ItemCollectionMetrics"],
};

/**
 * Rewrites ARNs to names in `input` (in place) and returns a function that gives the output the
 * caller's keys back.
 */
export function acceptTableArns(operation: string, input: Input): (output: unknown) => unknown {
  const name = tableNameOfArn(input["TableName"]);
  if (name) input["TableName"] = name;
  const spelled = new Map<string, string>();
  const requestItems = input["RequestItems"];
  if (requestItems && typeof requestItems === "object" && !Array.isArray(requestItems)) {
    const renamed: Input = {};
    for (const [key, value] of Object.entries(requestItems as Input)) {
      const tableName = tableNameOfArn(key) ?? key;
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
        const actionName = tableNameOfArn((action as Input)["TableName"]);
        if (actionName) (action as Input)["TableName"] = actionName;
      }
    }
  }
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
