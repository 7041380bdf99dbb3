import type { AttributeValue, Item } from "./dynalite-engine.js";
import { dynamoErrors } from "./errors.js";
import { MAX_NESTING_LEVELS, TRANSACT_MAX_BYTES } from "./limits.js";

/**
 * Checks DynamoDB makes that dynalite does not (or words differently), each as AWS answers it.
 * They run after dynalite's own validation of the request, in the order AWS applies them.
 */

type Input = Record<string, unknown>;

const NESTING =
  "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";

/**
 * Document nesting: the attribute itself is level 1 and every map or list adds one; DynamoDB accepts
 * 32 levels. Stored items are refused with the bare message; ExpressionAttributeValues of the
 * single-item writes with the "1 validation error detected:" envelope (both as captured from AWS).
 */
export function checkItemNesting(item: Item | undefined): void {
  if (item && Object.values(item).some((value) => deeperThan(value, MAX_NESTING_LEVELS)))
    throw dynamoErrors.validation(NESTING);
}

export function checkValueNesting(values: unknown): void {
  if (!values || typeof values !== "object") return;
  if (Object.values(values as Item).some((value) => deeperThan(value, MAX_NESTING_LEVELS)))
    throw dynamoErrors.validation(`1 validation error detected: ${NESTING}`);
}

/** True when the value nests more than `levels` levels (stops descending once it knows). */
function deeperThan(value: AttributeValue | undefined, levels: number): boolean {
  if (!value || typeof value !== "object") return false;
  const children = value["M"] ?? value["L"];
  if (!children || typeof children !== "object") return false;
  if (levels <= 1) return Object.keys(children).length > 0;
  const entries = Array.isArray(children) ? children : Object.values(children as Item);
  return entries.some((child) => deeperThan(child as AttributeValue, levels - 1));
}

/** Select=SPECIFIC_ATTRIBUTES needs something to select; Query wraps the sentence, Scan does not. */
export function checkSpecificAttributes(operation: "Query" | "Scan", data: Input): void {
  if (data["Select"] !== "SPECIFIC_ATTRIBUTES") return;
  if (data["ProjectionExpression"] != null || data["AttributesToGet"] != null) return;
  const sentence =
    "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES";
  throw dynamoErrors.validation(
    operation === "Query" ? `1 validation error detected: ${sentence}` : sentence,
  );
}

/** Segment needs TotalSegments, also Segment 0 (which dynalite's truthiness test lets through). */
export function checkSegment(data: Input): void {
  if (data["Segment"] != null && data["TotalSegments"] == null)
    throw dynamoErrors.validation(
      "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
    );
}

/** An empty RequestItems map is "required", not a length violation, in DynamoDB's words. */
export function checkRequestItemsPresent(operation: "BatchGetItem" | "BatchWriteItem", input: Input): void {
  const items = input["RequestItems"];
  if (items && typeof items === "object" && !Array.isArray(items) && Object.keys(items).length === 0)
    throw dynamoErrors.validation(`The requestItems parameter is required for ${operation}`);
}

/** TransactWriteItems refuses a request whose items add up to more than 4 MB. */
export function checkTransactionSize(sizes: number[]): void {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total > TRANSACT_MAX_BYTES)
    throw dynamoErrors.validation("Transaction request cannot be larger than 4 MB");
}
