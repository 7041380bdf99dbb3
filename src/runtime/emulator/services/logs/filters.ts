import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { ServiceError } from "../../core/errors.js";
import type { RequestContext } from "../../core/request.js";
import type { ServiceEnv } from "../../core/service.js";
import { lengthRule, logsErrors } from "./errors.js";
import {
  compileFilterPattern,
  extractedValues,
  fieldValue,
  FilterPatternError,
  type EventMatcher,
} from "./filter-pattern/index.js";
import * as limits from "./limits.js";
import { eventId } from "./provider.js";
import {
  scopeOf,
  type LogEvent,
  type LogGroup,
  type LogsEntry,
  type LogsState,
  type MetricFilter,
  type MetricTransformation,
  type SubscriptionFilter,
} from "./store.js";
import { decodeToken, encodeToken, optionalNumber, optionalString, requiredString } from "./validate.js";

const FILTER_NAME_PATTERN = /^[^:*]*$/;
const METRIC_NAME_PATTERN = /^[^:*$]*$/;
const DISTRIBUTIONS = ["Random", "ByLogStream"];
const UNITS = [
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
];
const LAMBDA_PERMISSION_MESSAGE =
  "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.";

/**
 * Subscription filters (matching events delivered to a Lambda function, as the `awslogs.data`
 * gzip+base64 document CloudWatch Logs sends) and metric filters (matching events published as
 * CloudWatch metrics), plus TestMetricFilter.
 */
export class LogFilters {
  private readonly compiled = new Map<string, EventMatcher>();

  constructor(
    private readonly state: LogsState,
    private readonly env: ServiceEnv,
    private readonly commit: (entry: LogsEntry) => void,
    private readonly requireGroup: (context: RequestContext, name: string) => LogGroup,
  ) {}

  // ---- subscription filters -------------------------------------------------------------------

  async putSubscriptionFilter(input: Record<string, unknown>, context: RequestContext) {
    const group = this.requireGroup(context, requiredString(input, "logGroupName"));
    const filterName = filterNameOf(input);
    const filterPattern = patternOf(input);
    const destinationArn = requiredString(input, "destinationArn");
    const roleArn = optionalString(input, "roleArn");
    const distribution = optionalString(input, "distribution") ?? "ByLogStream";
    if (!DISTRIBUTIONS.includes(distribution)) {
      throw logsErrors.constraint(
        "distribution",
        distribution,
        `Member must satisfy enum value set: [${DISTRIBUTIONS.join(", ")}]`,
      );
    }
    const existing = group.filters.subscription;
    if (!existing.has(filterName) && existing.size >= limits.MAX_SUBSCRIPTION_FILTERS_PER_GROUP) {
      throw new ServiceError("LimitExceededException", "Resource limit exceeded.");
    }
    await this.checkDestination(destinationArn, context);
    const filter: SubscriptionFilter = {
      filterName,
      filterPattern,
      destinationArn,
      ...(roleArn ? { roleArn } : {}),
      distribution,
      creationTime: existing.get(filterName)?.creationTime ?? this.env.clock.now(),
    };
    this.commit({ t: "filter", scope: group.scope, group: group.name, kind: "subscription", filter });
    return {};
  }

  async describeSubscriptionFilters(input: Record<string, unknown>, context: RequestContext) {
    const group = this.requireGroup(context, requiredString(input, "logGroupName"));
    const { page, nextToken } = this.page([...group.filters.subscription.values()], input);
    return {
      subscriptionFilters: page.map((f) => ({
        filterName: f.filterName,
        logGroupName: group.name,
        filterPattern: f.filterPattern,
        destinationArn: f.destinationArn,
        ...(f.roleArn ? { roleArn: f.roleArn } : {}),
        distribution: f.distribution,
        creationTime: f.creationTime,
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  async deleteSubscriptionFilter(input: Record<string, unknown>, context: RequestContext) {
    const group = this.requireGroup(context, requiredString(input, "logGroupName"));
    const name = requiredString(input, "filterName");
    if (!group.filters.subscription.has(name)) {
      throw new ServiceError(
        "ResourceNotFoundException",
        "The specified subscription filter does not exist.",
      );
    }
    this.commit({ t: "deleteFilter", scope: group.scope, group: group.name, kind: "subscription", name });
    return {};
  }

  /** CloudWatch Logs test-invokes nothing, but it refuses a function it may not invoke. */
  private async checkDestination(arn: string, context: RequestContext): Promise<void> {
    const service = arn.split(":")[2];
    if (service !== "lambda") {
      throw logsErrors.invalid(
        `This emulator delivers subscription filters to Lambda functions only, not to ${arn} (Kinesis and Firehose are not served).`,
      );
    }
    let policy: string | undefined;
    try {
      await this.env.call("lambda", "GetFunctionConfiguration", { FunctionName: arn }, context);
      policy = (
        await this.env.call<{ Policy?: string }>("lambda", "GetPolicy", { FunctionName: arn }, context)
      ).Policy;
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
    }
    if (!policy || !allowsLogs(policy)) throw logsErrors.invalid(LAMBDA_PERMISSION_MESSAGE);
  }

  // ---- metric filters -------------------------------------------------------------------------

  async putMetricFilter(input: Record<string, unknown>, context: RequestContext) {
    const group = this.requireGroup(context, requiredString(input, "logGroupName"));
    const filterName = filterNameOf(input);
    const filterPattern = patternOf(input, true);
    const transformations = transformationsOf(input["metricTransformations"]);
    const existing = group.filters.metric;
    if (!existing.has(filterName) && existing.size >= limits.MAX_METRIC_FILTERS_PER_GROUP) {
      throw new ServiceError("LimitExceededException", "Resource limit exceeded.");
    }
    const filter: MetricFilter = {
      filterName,
      filterPattern,
      metricTransformations: transformations,
      creationTime: existing.get(filterName)?.creationTime ?? this.env.clock.now(),
    };
    this.commit({ t: "filter", scope: group.scope, group: group.name, kind: "metric", filter });
    return {};
  }

  async describeMetricFilters(input: Record<string, unknown>, context: RequestContext) {
    const groupName = optionalString(input, "logGroupName");
    const prefix = optionalString(input, "filterNamePrefix");
    const metricName = optionalString(input, "metricName");
    const namespace = optionalString(input, "metricNamespace");
    if (prefix !== undefined && groupName === undefined) {
      throw logsErrors.invalid(
        "If you include the filterNamePrefix parameter, you must also include the logGroupName parameter.",
      );
    }
    if ((metricName === undefined) !== (namespace === undefined)) {
      throw logsErrors.invalid(
        "If you include the metricName parameter, you must also include the metricNamespace parameter.",
      );
    }
    const groups =
      groupName !== undefined
        ? [this.requireGroup(context, groupName)]
        : this.state
            .groupsIn(scopeOf(context.accountId, context.region))
            .sort((a, b) => compare(a.name, b.name));
    const filters = groups.flatMap((g) =>
      [...g.filters.metric.values()]
        .filter((f) => prefix === undefined || f.filterName.startsWith(prefix))
        .filter(
          (f) =>
            metricName === undefined ||
            f.metricTransformations.some(
              (t) => t.metricName === metricName && t.metricNamespace === namespace,
            ),
        )
        .sort((a, b) => compare(a.filterName, b.filterName))
        .map((f) => ({ ...f, logGroupName: g.name })),
    );
    const { page, nextToken } = this.page(filters, input, false);
    return {
      metricFilters: page.map((f) => ({
        filterName: f.filterName,
        filterPattern: f.filterPattern,
        metricTransformations: f.metricTransformations,
        creationTime: f.creationTime,
        logGroupName: f.logGroupName,
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  async deleteMetricFilter(input: Record<string, unknown>, context: RequestContext) {
    const group = this.requireGroup(context, requiredString(input, "logGroupName"));
    const name = requiredString(input, "filterName");
    if (!group.filters.metric.has(name)) {
      throw new ServiceError("ResourceNotFoundException", "The specified metric filter does not exist.");
    }
    this.commit({ t: "deleteFilter", scope: group.scope, group: group.name, kind: "metric", name });
    return {};
  }

  async testMetricFilter(input: Record<string, unknown>) {
    const pattern = patternOf(input, true);
    const raw = input["logEventMessages"];
    if (raw === undefined || raw === null) throw logsErrors.missing("logEventMessages");
    if (!Array.isArray(raw) || raw.some((m) => typeof m !== "string")) {
      throw logsErrors.constraint(
        "logEventMessages",
        JSON.stringify(raw),
        "Member must be a list of strings",
      );
    }
    if (raw.length < 1 || raw.length > limits.MAX_TEST_METRIC_FILTER_MESSAGES) {
      throw logsErrors.constraint(
        "logEventMessages",
        `[${raw.join(", ")}]`,
        lengthRule(raw.length, 1, limits.MAX_TEST_METRIC_FILTER_MESSAGES),
      );
    }
    const matcher = this.matcher(pattern);
    const matches = (raw as string[]).flatMap((message, i) =>
      matcher(message)
        ? [{ eventNumber: i + 1, eventMessage: message, extractedValues: extractedValues(pattern, message) }]
        : [],
    );
    return { matches };
  }

  // ---- acting on stored events ----------------------------------------------------------------

  /** Called for every PutLogEvents batch once it is stored. Never throws: failures are reported. */
  onStored(group: LogGroup, stream: string, events: LogEvent[]): void {
    for (const filter of group.filters.subscription.values()) {
      const matched = events.filter((e) => this.matcher(filter.filterPattern)(e.message));
      if (matched.length > 0) void this.deliver(group, stream, filter, matched);
    }
    for (const filter of group.filters.metric.values()) void this.publish(group, filter, events);
  }

  private async deliver(group: LogGroup, stream: string, filter: SubscriptionFilter, events: LogEvent[]) {
    const [owner] = group.scope.split("/") as [string, string];
    const document = {
      messageType: "DATA_MESSAGE",
      owner,
      logGroup: group.name,
      logStream: stream,
      subscriptionFilters: [filter.filterName],
      logEvents: events.map((e) => ({ id: eventId(e), timestamp: e.timestamp, message: e.message })),
    };
    const data = gzipSync(Buffer.from(JSON.stringify(document))).toString("base64");
    try {
      await this.env.call(
        "lambda",
        "Invoke",
        {
          FunctionName: filter.destinationArn,
          InvocationType: "Event",
          Payload: JSON.stringify({ awslogs: { data } }),
        },
        contextOf(group),
      );
    } catch (error) {
      this.env.reportBackgroundError(
        "logs",
        new Error(
          `Subscription filter ${filter.filterName} on ${group.name} could not deliver to ${filter.destinationArn}: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
  }

  private async publish(group: LogGroup, filter: MetricFilter, events: LogEvent[]) {
    const matcher = this.matcher(filter.filterPattern);
    for (const t of filter.metricTransformations) {
      const data: Record<string, unknown>[] = [];
      for (const event of events) {
        const matches = matcher(event.message);
        let value: number | undefined;
        if (matches) {
          const text = fieldValue(filter.filterPattern, t.metricValue, event.message);
          value =
            text !== undefined && text.trim() !== "" && Number.isFinite(Number(text))
              ? Number(text)
              : undefined;
        } else value = t.defaultValue;
        if (value === undefined) continue;
        const dimensions = matches ? dimensionsOf(filter.filterPattern, t, event.message) : [];
        if (dimensions === undefined) continue;
        data.push({
          MetricName: t.metricName,
          Value: value,
          Timestamp: new Date(event.timestamp),
          ...(t.unit ? { Unit: t.unit } : {}),
          ...(dimensions.length ? { Dimensions: dimensions } : {}),
        });
      }
      for (let i = 0; i < data.length; i += limits.METRIC_DATA_PER_CALL) {
        try {
          await this.env.call(
            "cloudwatch",
            "PutMetricData",
            { Namespace: t.metricNamespace, MetricData: data.slice(i, i + limits.METRIC_DATA_PER_CALL) },
            contextOf(group),
          );
        } catch (error) {
          this.env.reportBackgroundError(
            "logs",
            new Error(
              `Metric filter ${filter.filterName} on ${group.name} could not publish ${t.metricNamespace}/${t.metricName}: ${error instanceof Error ? error.message : String(error)}`,
            ),
          );
        }
      }
    }
  }

  private matcher(pattern: string): EventMatcher {
    let matcher = this.compiled.get(pattern);
    if (!matcher) {
      matcher = compileFilterPattern(pattern);
      this.compiled.set(pattern, matcher);
    }
    return matcher;
  }

  private page<T extends { filterName: string }>(items: T[], input: Record<string, unknown>, sort = true) {
    const limit =
      optionalNumber(input, "limit", 1, limits.DESCRIBE_MAX_LIMIT) ?? limits.DESCRIBE_DEFAULT_LIMIT;
    const prefix = optionalString(input, "filterNamePrefix");
    const token = optionalString(input, "nextToken");
    const start = token === undefined ? 0 : decodeToken(token, isIndexToken).i;
    const all = (sort ? [...items].sort((a, b) => compare(a.filterName, b.filterName)) : items).filter(
      (f) => prefix === undefined || f.filterName.startsWith(prefix),
    );
    const page = all.slice(start, start + limit);
    return { page, nextToken: start + limit < all.length ? encodeToken({ i: start + limit }) : undefined };
  }
}

function filterNameOf(input: Record<string, unknown>): string {
  const name = requiredString(input, "filterName");
  if (name.length < 1 || name.length > limits.MAX_FILTER_NAME_LENGTH) {
    throw logsErrors.constraint(
      "filterName",
      name,
      lengthRule(name.length, 1, limits.MAX_FILTER_NAME_LENGTH),
    );
  }
  if (!FILTER_NAME_PATTERN.test(name)) {
    throw logsErrors.constraint("filterName", name, "Member must satisfy regular expression pattern: [^:*]*");
  }
  return name;
}

function patternOf(input: Record<string, unknown>, metric = false): string {
  const pattern = requiredString(input, "filterPattern");
  if (pattern.length > limits.MAX_FILTER_PATTERN_LENGTH) {
    throw logsErrors.constraint(
      "filterPattern",
      pattern,
      `Member must have length less than or equal to ${limits.MAX_FILTER_PATTERN_LENGTH}`,
    );
  }
  try {
    compileFilterPattern(pattern);
  } catch (error) {
    if (error instanceof FilterPatternError)
      throw logsErrors.invalid(
        `Invalid ${metric ? "metric" : "subscription"} filter pattern: ${error.message}`,
      );
    throw error;
  }
  return pattern;
}

function transformationsOf(value: unknown): MetricTransformation[] {
  if (value === undefined || value === null) throw logsErrors.missing("metricTransformations");
  if (!Array.isArray(value) || value.length !== 1) {
    throw logsErrors.constraint(
      "metricTransformations",
      Array.isArray(value) ? `(${value.length} transformations)` : value,
      "Member must have length less than or equal to 1",
    );
  }
  return value.map((raw: unknown, i) => {
    const member = (name: string) => `metricTransformations.${i + 1}.member.${name}`;
    const t = (raw ?? {}) as Record<string, unknown>;
    const text = (name: string, max: number, pattern?: RegExp): string => {
      const v = t[name];
      if (v === undefined || v === null) throw logsErrors.missing(member(name));
      if (typeof v !== "string" || v.length < 1 || v.length > max) {
        throw logsErrors.constraint(
          member(name),
          v,
          typeof v === "string" ? lengthRule(v.length, 1, max) : "Member must be a string",
        );
      }
      if (pattern && !pattern.test(v)) {
        throw logsErrors.constraint(
          member(name),
          v,
          "Member must satisfy regular expression pattern: [^:*$]*",
        );
      }
      return v;
    };
    const transformation: MetricTransformation = {
      metricName: text("metricName", 255, METRIC_NAME_PATTERN),
      metricNamespace: text("metricNamespace", 255, METRIC_NAME_PATTERN),
      metricValue: text("metricValue", 100),
    };
    const defaultValue = t["defaultValue"];
    if (defaultValue !== undefined && defaultValue !== null) {
      if (typeof defaultValue !== "number")
        throw logsErrors.constraint(member("defaultValue"), defaultValue, "Member must be a number");
      transformation.defaultValue = defaultValue;
    }
    const dimensions = t["dimensions"];
    if (dimensions !== undefined && dimensions !== null) {
      if (
        typeof dimensions !== "object" ||
        Array.isArray(dimensions) ||
        Object.values(dimensions).some((d) => typeof d !== "string")
      ) {
        throw logsErrors.constraint(
          member("dimensions"),
          JSON.stringify(dimensions),
          "Member must be a map of strings",
        );
      }
      const entries = Object.entries(dimensions as Record<string, string>);
      if (entries.length > limits.MAX_METRIC_FILTER_DIMENSIONS) {
        throw logsErrors.invalid(
          `A metric filter can have at most ${limits.MAX_METRIC_FILTER_DIMENSIONS} dimensions.`,
        );
      }
      if (entries.some(([, v]) => !v.startsWith("$"))) {
        throw logsErrors.invalid(
          "Dimension values must be fields of the filter pattern ($.field or $field).",
        );
      }
      if (transformation.defaultValue !== undefined && entries.length > 0) {
        throw logsErrors.invalid(
          "You cannot specify a default value for a metric filter that has dimensions.",
        );
      }
      if (entries.length > 0) transformation.dimensions = dimensions as Record<string, string>;
    }
    const unit = t["unit"];
    if (unit !== undefined && unit !== null) {
      if (typeof unit !== "string" || !UNITS.includes(unit)) {
        throw logsErrors.constraint(
          member("unit"),
          unit,
          `Member must satisfy enum value set: [${UNITS.join(", ")}]`,
        );
      }
      transformation.unit = unit;
    }
    return transformation;
  });
}

/** The dimensions of a datum; undefined when the event lacks one (nothing is published then). */
function dimensionsOf(
  pattern: string,
  t: MetricTransformation,
  message: string,
): { Name: string; Value: string }[] | undefined {
  const out: { Name: string; Value: string }[] = [];
  for (const [name, reference] of Object.entries(t.dimensions ?? {})) {
    const value = fieldValue(pattern, reference, message);
    if (value === undefined || value === "") return undefined;
    out.push({ Name: name, Value: value });
  }
  return out;
}

/** Does a Lambda resource policy let CloudWatch Logs invoke the function? */
function allowsLogs(policyText: string): boolean {
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(policyText) as { Statement?: unknown };
  } catch {
    return false;
  }
  const statements = Array.isArray(policy.Statement)
    ? policy.Statement
    : policy.Statement
      ? [policy.Statement]
      : [];
  return statements.some((raw) => {
    const s = raw as { Effect?: string; Principal?: unknown; Action?: unknown };
    const principal = s.Principal;
    const services =
      principal === "*" ? ["*"] : list((principal as { Service?: unknown } | undefined)?.Service);
    return (
      s.Effect === "Allow" &&
      services.some((p) => p === "*" || /^logs(\.[a-z0-9-]+)?\.amazonaws\.com$/.test(p)) &&
      list(s.Action).some((a) => ["lambda:InvokeFunction", "lambda:*", "*"].includes(a))
    );
  });
}

function list(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function contextOf(group: LogGroup): RequestContext {
  const [accountId, region] = group.scope.split("/") as [string, string];
  return { requestId: randomUUID(), accountId, region };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isIndexToken(value: unknown): value is { i: number } {
  return typeof (value as { i?: unknown } | null)?.i === "number";
}
