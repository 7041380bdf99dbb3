import { createHash } from "node:crypto";
import type { Rules } from "./constraints.js";
import type { DynaliteEngine, DynaliteTable } from "./dynalite-engine.js";
import { dynamoErrors } from "./errors.js";
import {
  MAX_TAGS_PER_RESOURCE,
  ON_DEMAND_WARM_READ_UNITS,
  ON_DEMAND_WARM_WRITE_UNITS,
  TABLE_CLASSES,
} from "./limits.js";

/**
 * The table settings dynalite does not know, given at CreateTable (and UpdateTable) and shown by
 * DescribeTable as DynamoDB shows them today: DeletionProtectionEnabled, SSESpecification (shown as
 * SSEDescription), WarmThroughput (table and global secondary indexes), TableClass (shown as
 * TableClassSummary), Tags (applied to the table, read by ListTagsOfResource), and
 * BillingModeSummary on every table.
 *
 * The settings are written into the stored table description in the same write that creates the
 * table (or, for UpdateTable, under dynalite's table lock), so a table never exists without them.
 * Warm throughput a caller asked for is kept as `EmulatorWarmThroughput` (the emulator's own member):
 * the value shown is computed, because it follows the billing mode and provisioned throughput.
 */

type Input = Record<string, unknown>;

export interface Tag {
  Key: string;
  Value: string;
}

interface WarmThroughputInput {
  ReadUnitsPerSecond?: number;
  WriteUnitsPerSecond?: number;
}

interface SseSpecification {
  Enabled?: boolean;
  SSEType?: string;
  KMSMasterKeyId?: string;
}

/** What CreateTable/UpdateTable asked for beyond what dynalite handles. */
export interface TableSettings {
  deletionProtection?: boolean;
  sse?: SseSpecification;
  warmThroughput?: WarmThroughputInput;
  tableClass?: string;
  tags?: Tag[];
  /** Warm throughput asked for per global secondary index (CreateTable). */
  indexWarmThroughput?: Map<string, WarmThroughputInput>;
}

const WARM_THROUGHPUT_RULE = {
  type: "FieldStruct<WarmThroughput>",
  children: { ReadUnitsPerSecond: "Long", WriteUnitsPerSecond: "Long" },
};

export const TAGS_RULE = {
  type: "List",
  children: {
    type: "ValueStruct<Tag>",
    children: {
      Key: { type: "String", notNull: true, lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 128 },
      Value: { type: "String", notNull: true, lengthGreaterThanOrEqual: 0, lengthLessThanOrEqual: 256 },
    },
  },
};

const SETTINGS_RULES: Rules = {
  DeletionProtectionEnabled: "Boolean",
  SSESpecification: {
    type: "FieldStruct<SSESpecification>",
    children: {
      Enabled: "Boolean",
      SSEType: { type: "String", enum: ["AES256", "KMS"] },
      KMSMasterKeyId: "String",
    },
  },
  TableClass: "String",
  WarmThroughput: WARM_THROUGHPUT_RULE,
  Tags: TAGS_RULE,
};

/** The characters AWS allows in tag keys and values (letters, digits, spaces and `_ . : / = + - @`). */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** The settings members of a request, as given (taken out before dynalite sees the request). */
export interface GivenSettings {
  members: Input;
  /** GlobalSecondaryIndexes[].WarmThroughput by index name. */
  indexWarmThroughput: Map<string, unknown>;
}

/** Takes the settings out of a CreateTable or UpdateTable request (dynalite would drop them). */
export function takeTableSettings(input: Input): GivenSettings {
  const members: Input = {};
  for (const member of Object.keys(SETTINGS_RULES)) {
    if (input[member] !== undefined) members[member] = input[member];
    delete input[member];
  }
  const indexWarmThroughput = new Map<string, unknown>();
  const indexes = input["GlobalSecondaryIndexes"];
  if (Array.isArray(indexes)) {
    for (const index of indexes as Input[]) {
      if (!index || typeof index !== "object" || index["WarmThroughput"] === undefined) continue;
      if (typeof index["IndexName"] === "string")
        indexWarmThroughput.set(index["IndexName"], index["WarmThroughput"]);
      delete index["WarmThroughput"];
    }
  }
  return { members, indexWarmThroughput };
}

/** The settings, checked as DynamoDB checks their shape (after the request's own members). */
export function parseTableSettings(engine: DynaliteEngine, given: GivenSettings): TableSettings {
  const data = engine.checkRequest(SETTINGS_RULES, given.members);
  const settings: TableSettings = {};
  if (typeof data["DeletionProtectionEnabled"] === "boolean")
    settings.deletionProtection = data["DeletionProtectionEnabled"];
  if (data["SSESpecification"]) settings.sse = data["SSESpecification"] as SseSpecification;
  if (data["WarmThroughput"]) settings.warmThroughput = data["WarmThroughput"] as WarmThroughputInput;
  if (typeof data["TableClass"] === "string") settings.tableClass = data["TableClass"];
  if (Array.isArray(data["Tags"])) settings.tags = data["Tags"] as Tag[];
  for (const [name, raw] of given.indexWarmThroughput) {
    const checked = engine.checkRequest({ WarmThroughput: WARM_THROUGHPUT_RULE }, { WarmThroughput: raw })[
      "WarmThroughput"
    ] as WarmThroughputInput | undefined;
    if (!checked) continue;
    settings.indexWarmThroughput ??= new Map();
    settings.indexWarmThroughput.set(name, checked);
  }
  return settings;
}

/** True when the request asks for a settings change. */
export function hasSettings(settings: TableSettings): boolean {
  return (
    settings.deletionProtection !== undefined ||
    settings.sse !== undefined ||
    settings.warmThroughput !== undefined ||
    settings.tableClass !== undefined
  );
}

// --- CreateTable ------------------------------------------------------------------------------

/**
 * Refuses settings CreateTable cannot take, after the request's own validation and before anything
 * is created, in the order DynamoDB checks them.
 */
export function checkCreateSettings(settings: TableSettings, table: Input): void {
  if (settings.tableClass !== undefined) checkTableClass(settings.tableClass);
  if (settings.sse) checkSse(settings.sse);
  if (settings.tags) checkTags(settings.tags);
  const onDemand = table["BillingMode"] === "PAY_PER_REQUEST";
  const throughput = table["ProvisionedThroughput"] as
    { ReadCapacityUnits?: number; WriteCapacityUnits?: number } | undefined;
  if (settings.warmThroughput)
    checkInitialWarmThroughput(settings.warmThroughput, onDemand, throughput, "table");
  const indexes = (table["GlobalSecondaryIndexes"] ?? []) as Input[];
  for (const [name, warm] of settings.indexWarmThroughput ?? []) {
    const index = indexes.find((i) => i["IndexName"] === name);
    checkInitialWarmThroughput(
      warm,
      onDemand,
      index?.["ProvisionedThroughput"] as { ReadCapacityUnits?: number; WriteCapacityUnits?: number },
      `index ${name}`,
    );
  }
}

/**
 * Writes the settings into the description dynalite is about to store (CreateTable's validated
 * input), so the table and its settings are one write. The table ARN is not known yet: SSE keys are
 * resolved with the account and region given.
 */
export function applyCreateSettings(
  settings: TableSettings,
  data: Input,
  where: { accountId: string; region: string },
): void {
  data["DeletionProtectionEnabled"] = settings.deletionProtection ?? false;
  if (settings.sse && sseEnabled(settings.sse))
    data["SSEDescription"] = sseDescription(settings.sse, where.accountId, where.region);
  if (settings.tableClass) data["TableClassSummary"] = { TableClass: settings.tableClass };
  if (settings.warmThroughput) data[WARM_MEMBER] = settings.warmThroughput;
  const indexes = (data["GlobalSecondaryIndexes"] ?? []) as Input[];
  for (const index of indexes) {
    const warm = settings.indexWarmThroughput?.get(String(index["IndexName"]));
    if (warm) index[WARM_MEMBER] = warm;
  }
}

/** Tags given at CreateTable, applied once the table exists (dynalite keeps tags apart). */
export async function applyCreateTags(engine: DynaliteEngine, arn: string, tags: Tag[] | undefined) {
  if (tags && tags.length > 0) await engine.run("TagResource", { ResourceArn: arn, Tags: tags });
}

// --- UpdateTable ------------------------------------------------------------------------------

/**
 * UpdateTable members that change a setting must come alone (DynamoDB's rule), apart from the
 * table name and attribute definitions.
 */
export function checkSettingsAlone(settings: TableSettings, rest: Input): void {
  const others = Object.entries(rest).some(
    ([member, value]) => member !== "TableName" && member !== "AttributeDefinitions" && value != null,
  );
  const given = [
    settings.sse !== undefined && "Server-Side Encryption modification",
    settings.tableClass !== undefined && "TableClass modification",
    settings.deletionProtection !== undefined && "DeletionProtection modification",
    settings.warmThroughput !== undefined && "WarmThroughput",
  ].filter((label): label is string => typeof label === "string");
  if (given.length === 0) return;
  if (others || given.length > 1)
    throw dynamoErrors.validation(
      `One or more parameter values were invalid: ${given[0]} must be the only operation in the request`,
    );
}

/** Applies an UpdateTable settings change to the stored description (under the table lock). */
export function applyUpdateSettings(settings: TableSettings, table: DynaliteTable): void {
  if (settings.tableClass !== undefined) {
    checkTableClass(settings.tableClass);
    table["TableClassSummary"] = { TableClass: settings.tableClass };
  }
  if (settings.deletionProtection !== undefined)
    table["DeletionProtectionEnabled"] = settings.deletionProtection;
  if (settings.sse) updateSse(settings.sse, table);
  if (settings.warmThroughput) {
    const current = warmThroughputOf(table);
    for (const unit of ["ReadUnitsPerSecond", "WriteUnitsPerSecond"] as const) {
      const wanted = settings.warmThroughput[unit];
      if (wanted !== undefined && wanted < current[unit])
        throw dynamoErrors.validation(
          `One or more parameter values were invalid: Requested ${unit} for WarmThroughput for table is lower than current WarmThroughput, decreasing WarmThroughput is not supported`,
        );
    }
    table[WARM_MEMBER] = { ...current, ...settings.warmThroughput };
  }
}

/** DeleteTable of a protected table. */
export function checkDeletable(table: DynaliteTable): void {
  if (table["DeletionProtectionEnabled"] === true)
    throw dynamoErrors.validation(
      "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
    );
}

/** UpdateTable without anything to change, in DynamoDB's words. */
export const NOTHING_TO_UPDATE =
  "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, " +
  "SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, " +
  "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required";

// --- DescribeTable ----------------------------------------------------------------------------

const WARM_MEMBER = "EmulatorWarmThroughput";

/**
 * A stored description as DynamoDB shows it today: BillingModeSummary on every table,
 * DeletionProtectionEnabled, WarmThroughput on the table and each global secondary index, without
 * dynalite's TableThroughputModeSummary (not a DynamoDB member).
 */
export function withTableSettings(stored: Record<string, unknown>): Record<string, unknown> {
  const table: Record<string, unknown> = { ...stored };
  delete table["TableThroughputModeSummary"];
  const onDemand = isOnDemand(table);
  const billing = (table["BillingModeSummary"] ?? {}) as Record<string, unknown>;
  table["BillingModeSummary"] = onDemand
    ? {
        BillingMode: "PAY_PER_REQUEST",
        LastUpdateToPayPerRequestDateTime:
          billing["LastUpdateToPayPerRequestDateTime"] ?? table["CreationDateTime"],
      }
    : { ...billing, BillingMode: "PROVISIONED" };
  if (typeof table["TableName"] === "string" && table["DeletionProtectionEnabled"] === undefined)
    table["DeletionProtectionEnabled"] = false;
  if (typeof table["TableStatus"] === "string")
    table["WarmThroughput"] = { ...warmThroughputOf(stored), Status: warmStatus(table["TableStatus"]) };
  if (Array.isArray(table["GlobalSecondaryIndexes"])) {
    table["GlobalSecondaryIndexes"] = (table["GlobalSecondaryIndexes"] as Input[]).map((index) => {
      const { [WARM_MEMBER]: asked, ...shown } = index;
      return {
        ...shown,
        WarmThroughput: {
          ...warmOf(
            asked as WarmThroughputInput | undefined,
            onDemand,
            index["ProvisionedThroughput"] as Input | undefined,
          ),
          Status: warmStatus(String(index["IndexStatus"] ?? "ACTIVE")),
        },
      };
    });
  }
  return table;
}

function isOnDemand(table: Record<string, unknown>): boolean {
  return (table["BillingModeSummary"] as Input | undefined)?.["BillingMode"] === "PAY_PER_REQUEST";
}

/** The warm throughput a table has: what was asked for, at least the billing mode's own. */
function warmThroughputOf(table: Record<string, unknown>): {
  ReadUnitsPerSecond: number;
  WriteUnitsPerSecond: number;
} {
  return warmOf(
    table[WARM_MEMBER] as WarmThroughputInput | undefined,
    isOnDemand(table),
    table["ProvisionedThroughput"] as Input | undefined,
  );
}

/**
 * On-demand tables and indexes start warm at 12,000 read and 4,000 write units per second;
 * provisioned ones are as warm as their provisioned throughput (it rises with it).
 */
function warmOf(
  asked: WarmThroughputInput | undefined,
  onDemand: boolean,
  provisioned: Input | undefined,
): { ReadUnitsPerSecond: number; WriteUnitsPerSecond: number } {
  const base = onDemand
    ? { read: ON_DEMAND_WARM_READ_UNITS, write: ON_DEMAND_WARM_WRITE_UNITS }
    : {
        read: Math.max(1, Number(provisioned?.["ReadCapacityUnits"] ?? 1)),
        write: Math.max(1, Number(provisioned?.["WriteCapacityUnits"] ?? 1)),
      };
  return {
    ReadUnitsPerSecond: Math.max(base.read, asked?.ReadUnitsPerSecond ?? 0),
    WriteUnitsPerSecond: Math.max(base.write, asked?.WriteUnitsPerSecond ?? 0),
  };
}

function warmStatus(status: string): string {
  return status === "CREATING" || status === "UPDATING" || status === "DELETING" ? status : "ACTIVE";
}

// --- checks -----------------------------------------------------------------------------------

function checkTableClass(tableClass: string): void {
  if (!(TABLE_CLASSES as readonly string[]).includes(tableClass))
    throw dynamoErrors.validation(
      `Invalid table-class parameter provided. Please try again with a valid table-class value: [${TABLE_CLASSES.join(", ")}].`,
    );
}

const invalidParameter = (detail: string) =>
  dynamoErrors.validation(`One or more parameter values were invalid: ${detail}`);

function checkSse(sse: SseSpecification): void {
  if (sse.Enabled === false) {
    if (sse.SSEType !== undefined) throw invalidParameter("SSEType can not be specified if Enabled is false");
    if (sse.KMSMasterKeyId !== undefined)
      throw invalidParameter("KMSMasterKeyId can not be specified if Enabled is false");
    return;
  }
  if (sse.SSEType === "AES256") throw invalidParameter("SSEType AES256 is not supported");
  if (sse.KMSMasterKeyId !== undefined && sse.SSEType !== "KMS")
    throw invalidParameter("SSEType KMS is required if KMSMasterKeyId is specified");
}

/** `Enabled: true` (or a KMS type without Enabled) is a KMS key; otherwise the AWS owned key. */
function sseEnabled(sse: SseSpecification): boolean {
  return sse.Enabled === true || (sse.Enabled === undefined && sse.SSEType === "KMS");
}

function updateSse(sse: SseSpecification, table: DynaliteTable): void {
  checkSse(sse);
  const current = table["SSEDescription"] as { KMSMasterKeyArn?: string } | undefined;
  if (!sseEnabled(sse)) {
    if (!current) throw invalidParameter("Table is already encrypted by default");
    delete table["SSEDescription"];
    return;
  }
  const [, , , region = "", accountId = ""] = table.TableArn.split(":");
  const next = sseDescription(sse, accountId, region);
  if (current?.KMSMasterKeyArn === next.KMSMasterKeyArn)
    throw invalidParameter(
      "Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key",
    );
  table["SSEDescription"] = next;
}

/**
 * SSE with a KMS key: the key's ARN. The emulator has no KMS, so an alias (or none: the AWS managed
 * key `alias/aws/dynamodb`) stands for a key id derived from the account, region and alias: the
 * same alias always names the same key.
 */
function sseDescription(
  sse: SseSpecification,
  accountId: string,
  region: string,
): { Status: "ENABLED"; SSEType: "KMS"; KMSMasterKeyArn: string } {
  const id = sse.KMSMasterKeyId ?? "alias/aws/dynamodb";
  let arn: string;
  if (/^arn:aws[a-z-]*:kms:[^:]*:\d*:key\//.test(id)) arn = id;
  else if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
    arn = `arn:aws:kms:${region}:${accountId}:key/${id}`;
  else {
    const alias = id.replace(/^arn:aws[a-z-]*:kms:[^:]*:\d*:/, "");
    arn = `arn:aws:kms:${region}:${accountId}:key/${keyIdFor(`${accountId}/${region}/${alias}`)}`;
  }
  return { Status: "ENABLED", SSEType: "KMS", KMSMasterKeyArn: arn };
}

function keyIdFor(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Tag rules beyond their lengths: characters, the `aws:` prefix, duplicates, at most 50. */
export function checkTags(tags: Tag[]): void {
  if (tags.length > MAX_TAGS_PER_RESOURCE)
    throw dynamoErrors.validation("Number of Tags exceed the current limit for the provided ResourceArn");
  const seen = new Set<string>();
  for (const tag of tags) {
    if (!TAG_TEXT.test(tag.Key))
      throw dynamoErrors.validation(`The Tag Key provided is invalid, Key: ${tag.Key}`);
    if (!TAG_TEXT.test(tag.Value))
      throw dynamoErrors.validation(`The Tag Value provided is invalid, Value: ${tag.Value}`);
    if (tag.Key.toLowerCase().startsWith("aws:"))
      throw dynamoErrors.validation(`Tag Key cannot be prefixed with aws:, Key: ${tag.Key}`);
    if (seen.has(tag.Key))
      throw dynamoErrors.validation(
        `Duplicate Tag Keys provided as input: Duplicate Tag Key found ${tag.Key}`,
      );
    seen.add(tag.Key);
  }
}

function checkInitialWarmThroughput(
  warm: WarmThroughputInput,
  onDemand: boolean,
  provisioned: { ReadCapacityUnits?: number; WriteCapacityUnits?: number } | undefined,
  what: string,
): void {
  const pairs = [
    ["ReadUnitsPerSecond", ON_DEMAND_WARM_READ_UNITS, provisioned?.ReadCapacityUnits, "ReadCapacityUnits"],
    [
      "WriteUnitsPerSecond",
      ON_DEMAND_WARM_WRITE_UNITS,
      provisioned?.WriteCapacityUnits,
      "WriteCapacityUnits",
    ],
  ] as const;
  for (const [unit, onDemandFloor, capacity, capacityName] of pairs) {
    const wanted = warm[unit];
    if (wanted === undefined) continue;
    if (onDemand && wanted < onDemandFloor)
      throw invalidParameter(
        `Requested ${unit} for WarmThroughput for ${what} is lower than initial throughput for OnDemand. ` +
          "See: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput.html",
      );
    if (!onDemand && capacity !== undefined && wanted < capacity)
      throw invalidParameter(
        `Requested ${unit} for WarmThroughput for ${what} is lower than ${capacityName} of ProvisionedThroughput`,
      );
  }
}
