import * as z from "zod";
import { SOURCES, type SourceName } from "../../pipeline/model/sources.js";
import { isAwsRegion, regionAllowed } from "./regions.js";
import { TARGETS } from "./targets.js";

/**
 * The configuration's shape, written once as a tree of leaf schemas. Two schemas are built from it:
 * the resolved config (every required leaf present; what commands get) and the config file (every
 * leaf optional, plus `target` and per-target sections). Each leaf's message says what is allowed,
 * because it becomes the end of "key = value (from source): <message>".
 */

const port = (what: string) => {
  const error = `expected the ${what} port, an integer from 1 to 65535`;
  return z.number({ error }).int({ error }).min(1, { error }).max(65535, { error });
};
const httpUrl = (example: string) =>
  z.url({ protocol: /^https?$/, error: `expected an http(s) URL like ${example}` });
const positiveInt = (max?: number) => {
  const error = max === undefined ? "expected a positive integer" : `expected an integer from 1 to ${max}`;
  const base = z.number({ error }).int({ error }).min(1, { error });
  return max === undefined ? base : base.max(max, { error });
};
const seconds = () => positiveInt(3600);

const sourceShape = {
  baseUrl: httpUrl("https://api.example.com/v1"),
  auxBaseUrl: httpUrl("https://api.example.com/v1").optional(),
  apiKey: z
    .string({ error: "expected a non-empty string" })
    .min(1, { error: "expected a non-empty string" })
    .optional(),
  rateLimitPerSecond: z
    .number({ error: "expected requests per second, a number above 0 and at most 1000" })
    .gt(0, { error: "expected requests per second, a number above 0 and at most 1000" })
    .max(1000, { error: "expected requests per second, a number above 0 and at most 1000" }),
  timeoutMs: z
    .number({ error: "expected milliseconds, an integer from 100 to 900000" })
    .int({ error: "expected milliseconds, an integer from 100 to 900000" })
    .min(100, { error: "expected milliseconds, an integer from 100 to 900000" })
    .max(900_000, { error: "expected milliseconds, an integer from 100 to 900000" }),
  // People per shard message on the source's work queue (one worker invocation scrapes one shard).
  shardSize: z
    .number({ error: "expected people per shard, an integer from 1 to 200" })
    .int({ error: "expected people per shard, an integer from 1 to 200" })
    .min(1, { error: "expected people per shard, an integer from 1 to 200" })
    .max(200, { error: "expected people per shard, an integer from 1 to 200" }),
  // The worker mapping's ScalingConfig.MaximumConcurrency: AWS allows 2 to 1000.
  workerConcurrency: z
    .number({
      error: "expected concurrent workers, an integer from 2 to 1000 (AWS's MaximumConcurrency range)",
    })
    .int({ error: "expected concurrent workers, an integer from 2 to 1000 (AWS's MaximumConcurrency range)" })
    .min(2, {
      error: "expected concurrent workers, an integer from 2 to 1000 (AWS's MaximumConcurrency range)",
    })
    .max(1000, {
      error: "expected concurrent workers, an integer from 2 to 1000 (AWS's MaximumConcurrency range)",
    }),
  // How long a worker holds its shard's message invisible at a time (renewed while it works).
  shardLeaseSeconds: z
    .number({ error: "expected seconds, an integer from 2 to 900" })
    .int({ error: "expected seconds, an integer from 2 to 900" })
    .min(2, { error: "expected seconds, an integer from 2 to 900" })
    .max(900, { error: "expected seconds, an integer from 2 to 900" }),
  // First wait before a failed shard is received again; it doubles per receive (at most 900 s).
  shardRetrySeconds: z
    .number({ error: "expected seconds, an integer from 0 to 900" })
    .int({ error: "expected seconds, an integer from 0 to 900" })
    .min(0, { error: "expected seconds, an integer from 0 to 900" })
    .max(900, { error: "expected seconds, an integer from 0 to 900" }),
};

// CloudWatch Logs accepts only these retention values.
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;

/** Per-target settings: everything except `target` itself. */
const targetShape = {
  region: z
    .string({ error: "expected an AWS region like us-east-1" })
    .refine(isAwsRegion, { error: (issue) => regionAllowed(String(issue.input)) }),
  profile: z
    .string({ error: "expected a profile name" })
    .min(1, { error: "expected a profile name" })
    .optional(),
  endpoint: httpUrl("http://127.0.0.1:4599").optional(),
  account: z
    .string({ error: "expected a 12-digit AWS account id" })
    .regex(/^\d{12}$/, { error: "expected a 12-digit AWS account id" })
    .optional(),
  suffix: z
    .string({ error: 'expected "" or a suffix like "-dev": a dash, then up to 19 of a-z 0-9 -' })
    .regex(/^(-[a-z0-9][a-z0-9-]{0,18})?$/, {
      error: 'expected "" or a suffix like "-dev": a dash, then up to 19 of a-z 0-9 -',
    }),
  roster: {
    seedDemoWhenEmpty: z.boolean({ error: "expected true or false" }),
  },
  logRetentionDays: z.union(
    LOG_RETENTION_DAYS.map((days) => z.literal(days)),
    { error: `expected a CloudWatch Logs retention: one of ${LOG_RETENTION_DAYS.join(", ")}` },
  ),
  logLevel: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }),
  emulator: {
    port: port("emulator"),
    persistDir: z.string({ error: "expected a folder path" }).min(1, { error: "expected a folder path" }),
    retryWaitScale: z
      .number({ error: "expected a factor above 0 and at most 1 (1 = AWS's waits)" })
      .gt(0, { error: "expected a factor above 0 and at most 1 (1 = AWS's waits)" })
      .max(1, { error: "expected a factor above 0 and at most 1 (1 = AWS's waits)" }),
    ttlSweepSeconds: z
      .number({ error: "expected seconds above 0 between two passes of DynamoDB's TTL deletions" })
      .gt(0, { error: "expected seconds above 0 between two passes of DynamoDB's TTL deletions" }),
  },
  fixtures: {
    host: z.string({ error: "expected a host name" }).min(1, { error: "expected a host name" }),
    port: port("fixture server"),
  },
  sources: Object.fromEntries(SOURCES.map((source) => [source, sourceShape])) as Record<
    SourceName,
    typeof sourceShape
  >,
  opensearch: {
    endpoint: httpUrl("https://search-celebrities-abc.us-east-1.es.amazonaws.com").optional(),
    domainName: z
      .string({ error: "expected a domain name: 3-28 of a-z 0-9 -, starting with a letter" })
      .regex(/^[a-z][a-z0-9-]{2,27}$/, {
        error: "expected a domain name: 3-28 of a-z 0-9 -, starting with a letter",
      }),
    index: z
      .string({ error: "expected an index name: lower case a-z 0-9 _ -, not starting with _ or -" })
      .regex(/^[a-z0-9][a-z0-9_-]{0,254}$/, {
        error: "expected an index name: lower case a-z 0-9 _ -, not starting with _ or -",
      }),
  },
  verify: {
    // Unset: the active roster times the four sources, read when verify runs.
    expectedCount: positiveInt().optional(),
    tolerance: z
      .number({ error: "expected a fraction from 0 to 1 (0.05 = within 5% of expectedCount)" })
      .min(0, { error: "expected a fraction from 0 to 1 (0.05 = within 5% of expectedCount)" })
      .max(1, { error: "expected a fraction from 0 to 1 (0.05 = within 5% of expectedCount)" }),
    incompleteMax: z
      .number({ error: "expected an integer from 0 up" })
      .int({ error: "expected an integer from 0 up" })
      .min(0, { error: "expected an integer from 0 up" }),
    startSpreadMs: positiveInt(60_000),
    deadlines: {
      scrapeSeconds: seconds(),
      postProcessingSeconds: seconds(),
      indexSyncSeconds: seconds(),
    },
  },
};

const targetEnum = z.enum(TARGETS, { error: `expected one of ${TARGETS.join(", ")}` });

type Shape = { [key: string]: z.ZodType | Shape };

function objectFrom(shape: Shape, optionalLeaves: boolean): z.ZodObject {
  const entries = Object.entries(shape).map(([key, value]) => {
    if (value instanceof z.ZodType) return [key, optionalLeaves ? value.optional() : value] as const;
    const nested = objectFrom(value, optionalLeaves);
    return [key, optionalLeaves ? nested.optional() : nested] as const;
  });
  return z.strictObject(Object.fromEntries(entries));
}

export const resolvedConfigSchema = objectFrom({ target: targetEnum, ...targetShape }, false);

const partialTarget = objectFrom(targetShape, true);
export const configFileSchema = partialTarget.extend({
  $schema: z.string().optional(),
  target: targetEnum.optional(),
  targets: z
    .strictObject(Object.fromEntries(TARGETS.map((target) => [target, partialTarget.optional()])))
    .optional(),
});

type SourceSettings = {
  baseUrl: string;
  auxBaseUrl?: string;
  apiKey?: string;
  rateLimitPerSecond: number;
  timeoutMs: number;
  /** People per shard message (1..200). */
  shardSize: number;
  /** Concurrent workers of the source (the mapping's MaximumConcurrency, 2..1000). */
  workerConcurrency: number;
  /** Seconds a worker holds its shard invisible at a time, renewed while it works. */
  shardLeaseSeconds: number;
  /** First wait before a failed shard comes back (doubling per receive). */
  shardRetrySeconds: number;
};

/** The validated configuration for one target: what commands and engines use. */
export interface PipelineConfig {
  target: (typeof TARGETS)[number];
  region: string;
  profile?: string;
  /** Explicit AWS endpoint; unset on aws unless configured (the SDK then uses AWS's endpoints). */
  endpoint?: string;
  /** Local targets: the fixed local account. aws: the expected account, checked against STS. */
  account?: string;
  suffix: string;
  /** seedDemoWhenEmpty: an empty roster gets the invented demo people (local targets by default). */
  roster: { seedDemoWhenEmpty: boolean };
  logRetentionDays: number;
  logLevel: (typeof LOG_LEVELS)[number];
  emulator: { port: number; persistDir: string; retryWaitScale: number; ttlSweepSeconds: number };
  fixtures: { host: string; port: number };
  sources: Record<SourceName, SourceSettings>;
  opensearch: { endpoint?: string; domainName: string; index: string };
  verify: {
    /** An override; unset means active roster x sources. */
    expectedCount?: number;
    tolerance: number;
    incompleteMax: number;
    startSpreadMs: number;
    deadlines: { scrapeSeconds: number; postProcessingSeconds: number; indexSyncSeconds: number };
  };
}

/** Keys whose values are masked wherever config is shown. */
export function isSecretKey(key: string): boolean {
  return /(^|\.)apiKey$/.test(key);
}
