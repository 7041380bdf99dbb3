import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.js";
import { ServiceError } from "../../core/errors.js";
import type { RequestContext } from "../../core/request.js";
import { lengthRule, logsErrors } from "./errors.js";
import * as limits from "./limits.js";
import { scopeOf, type LogsEntry, type LogsState, type ScopedKind } from "./store.js";
import {
  decodeToken,
  encodeToken,
  optionalNumber,
  optionalString,
  optionalTags,
  requiredString,
} from "./validate.js";

type Input = Record<string, unknown>;
type Resource = Record<string, unknown>;

const DELIVERY_NAME = /^[\w-]*$/;
/** Which kind of destination a delivery destination's resource ARN names. */
const DESTINATION_TYPES: Record<string, string> = { s3: "S3", logs: "CWL", firehose: "FH", xray: "XRAY" };

const validation = (message: string) => new ServiceError("ValidationException", message);
const notFound = (message: string) => new ServiceError("ResourceNotFoundException", message);
const conflict = (message: string) => new ServiceError("ConflictException", message);

/**
 * CloudWatch Logs resources of an account and region that belong to no log group: resource
 * policies (who may write to this account's log groups) and the vended-logs delivery objects
 * (delivery sources, delivery destinations with their policies, deliveries). They are stored and
 * returned as the API describes them; no AWS service sends vended logs here, so nothing flows
 * through a delivery.
 */
export class AccountResources {
  constructor(
    private readonly state: LogsState,
    private readonly clock: Clock,
    private readonly commit: (entry: LogsEntry) => void,
  ) {}

  private table(kind: ScopedKind, context: RequestContext) {
    return this.state.scopedIn(kind, scopeOf(context.accountId, context.region));
  }

  private put(kind: ScopedKind, context: RequestContext, key: string, record: Resource): void {
    this.commit({ t: "scoped", kind, scope: scopeOf(context.accountId, context.region), key, record });
  }

  private remove(kind: ScopedKind, context: RequestContext, key: string): void {
    this.commit({ t: "deleteScoped", kind, scope: scopeOf(context.accountId, context.region), key });
  }

  private page(items: Resource[], input: Input) {
    const limit =
      optionalNumber(input, "limit", 1, limits.DESCRIBE_MAX_LIMIT) ?? limits.DESCRIBE_DEFAULT_LIMIT;
    const token = optionalString(input, "nextToken");
    const start = token === undefined ? 0 : decodeToken(token, isIndexToken).i;
    const page = items.slice(start, start + limit);
    return {
      page,
      ...(start + limit < items.length ? { nextToken: encodeToken({ i: start + limit }) } : {}),
    };
  }

  private arn(context: RequestContext, resource: string): string {
    return `arn:aws:logs:${context.region}:${context.accountId}:${resource}`;
  }

  // ---- resource policies ----------------------------------------------------------------------

  async putResourcePolicy(input: Input, context: RequestContext) {
    const name = requiredString(input, "policyName");
    const document = requiredString(input, "policyDocument");
    if (document.length < 1 || document.length > limits.MAX_POLICY_DOCUMENT_LENGTH) {
      throw logsErrors.constraint(
        "policyDocument",
        document,
        lengthRule(document.length, 1, limits.MAX_POLICY_DOCUMENT_LENGTH),
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(document);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw logsErrors.invalid("The policy document is not valid JSON.");
    }
    const policies = this.table("resourcePolicy", context);
    if (!policies.has(name) && policies.size >= limits.MAX_RESOURCE_POLICIES) {
      throw new ServiceError("LimitExceededException", "Resource limit exceeded.");
    }
    const policy = {
      policyName: name,
      policyDocument: document,
      lastUpdatedTime: this.clock.now(),
      policyScope: "ACCOUNT",
    };
    this.put("resourcePolicy", context, name, policy);
    return { resourcePolicy: policy };
  }

  async describeResourcePolicies(input: Input, context: RequestContext) {
    const policies = [...this.table("resourcePolicy", context).values()].sort((a, b) =>
      String(a["policyName"]) < String(b["policyName"]) ? -1 : 1,
    );
    const { page, nextToken } = this.page(policies, input);
    return { resourcePolicies: page, ...(nextToken ? { nextToken } : {}) };
  }

  async deleteResourcePolicy(input: Input, context: RequestContext) {
    const name = requiredString(input, "policyName");
    if (!this.table("resourcePolicy", context).has(name)) {
      throw notFound(`Policy with name [${name}] does not exist`);
    }
    this.remove("resourcePolicy", context, name);
    return {};
  }

  // ---- delivery sources -----------------------------------------------------------------------

  async putDeliverySource(input: Input, context: RequestContext) {
    const name = deliveryName(input);
    const resourceArn = requiredString(input, "resourceArn");
    const logType = requiredString(input, "logType");
    const service = /^arn:aws[\w-]*:([^:]+):/.exec(resourceArn)?.[1];
    if (!service) throw validation(`Invalid resourceArn: ${resourceArn}`);
    const existing = this.table("deliverySource", context).get(name);
    if (
      existing &&
      (existing["logType"] !== logType || (existing["resourceArns"] as string[])[0] !== resourceArn)
    ) {
      throw conflict(`Delivery source ${name} already exists for another resource or log type.`);
    }
    const source = {
      name,
      arn: this.arn(context, `delivery-source:${name}`),
      resourceArns: [resourceArn],
      service,
      logType,
      tags: optionalTags(input, "tags") ?? (existing?.["tags"] as Record<string, string> | undefined) ?? {},
    };
    this.put("deliverySource", context, name, source);
    return { deliverySource: source };
  }

  async getDeliverySource(input: Input, context: RequestContext) {
    return { deliverySource: this.requireSource(requiredString(input, "name"), context) };
  }

  async describeDeliverySources(input: Input, context: RequestContext) {
    const { page, nextToken } = this.page(byName(this.table("deliverySource", context)), input);
    return { deliverySources: page, ...(nextToken ? { nextToken } : {}) };
  }

  async deleteDeliverySource(input: Input, context: RequestContext) {
    const name = requiredString(input, "name");
    this.requireSource(name, context);
    if ([...this.table("delivery", context).values()].some((d) => d["deliverySourceName"] === name)) {
      throw conflict(`Delivery source ${name} is used by a delivery; delete the delivery first.`);
    }
    this.remove("deliverySource", context, name);
    return {};
  }

  private requireSource(name: string, context: RequestContext): Resource {
    const source = this.table("deliverySource", context).get(name);
    if (!source) throw notFound(`Delivery source ${name} does not exist.`);
    return source;
  }

  // ---- delivery destinations ------------------------------------------------------------------

  async putDeliveryDestination(input: Input, context: RequestContext) {
    const name = deliveryName(input);
    const configuration = input["deliveryDestinationConfiguration"] as
      { destinationResourceArn?: unknown } | undefined;
    const target = configuration?.destinationResourceArn;
    if (typeof target !== "string" || target === "") {
      throw logsErrors.missing("deliveryDestinationConfiguration.destinationResourceArn");
    }
    const service = /^arn:aws[\w-]*:([^:]+):/.exec(target)?.[1] ?? "";
    const type = DESTINATION_TYPES[service];
    if (!type)
      throw validation(
        `Invalid destinationResourceArn: ${target} (an S3 bucket, a log group or a Firehose stream).`,
      );
    const outputFormat = optionalString(input, "outputFormat");
    const existing = this.table("deliveryDestination", context).get(name);
    const destination = {
      name,
      arn: this.arn(context, `delivery-destination:${name}`),
      deliveryDestinationType: type,
      ...(outputFormat ? { outputFormat } : {}),
      deliveryDestinationConfiguration: { destinationResourceArn: target },
      tags: optionalTags(input, "tags") ?? (existing?.["tags"] as Record<string, string> | undefined) ?? {},
      ...(existing?.["policy"] ? { policy: existing["policy"] } : {}),
    };
    this.put("deliveryDestination", context, name, destination);
    return { deliveryDestination: withoutPolicy(destination) };
  }

  async getDeliveryDestination(input: Input, context: RequestContext) {
    return {
      deliveryDestination: withoutPolicy(this.requireDestination(requiredString(input, "name"), context)),
    };
  }

  async describeDeliveryDestinations(input: Input, context: RequestContext) {
    const { page, nextToken } = this.page(
      byName(this.table("deliveryDestination", context)).map(withoutPolicy),
      input,
    );
    return { deliveryDestinations: page, ...(nextToken ? { nextToken } : {}) };
  }

  async deleteDeliveryDestination(input: Input, context: RequestContext) {
    const destination = this.requireDestination(requiredString(input, "name"), context);
    if (
      [...this.table("delivery", context).values()].some(
        (d) => d["deliveryDestinationArn"] === destination["arn"],
      )
    ) {
      throw conflict(
        `Delivery destination ${String(destination["name"])} is used by a delivery; delete the delivery first.`,
      );
    }
    this.remove("deliveryDestination", context, String(destination["name"]));
    return {};
  }

  async putDeliveryDestinationPolicy(input: Input, context: RequestContext) {
    const name = requiredString(input, "deliveryDestinationName");
    const policy = requiredString(input, "deliveryDestinationPolicy");
    const destination = this.requireDestination(name, context);
    this.put("deliveryDestination", context, name, { ...destination, policy });
    return { policy: { deliveryDestinationPolicy: policy } };
  }

  async getDeliveryDestinationPolicy(input: Input, context: RequestContext) {
    const destination = this.requireDestination(requiredString(input, "deliveryDestinationName"), context);
    return { policy: destination["policy"] ? { deliveryDestinationPolicy: destination["policy"] } : {} };
  }

  async deleteDeliveryDestinationPolicy(input: Input, context: RequestContext) {
    const name = requiredString(input, "deliveryDestinationName");
    const destination = this.requireDestination(name, context);
    if (!destination["policy"]) throw notFound(`Delivery destination ${name} has no policy.`);
    this.put("deliveryDestination", context, name, withoutPolicy(destination));
    return {};
  }

  private requireDestination(name: string, context: RequestContext): Resource {
    const destination = this.table("deliveryDestination", context).get(name);
    if (!destination) throw notFound(`Delivery destination ${name} does not exist.`);
    return destination;
  }

  // ---- deliveries -----------------------------------------------------------------------------

  async createDelivery(input: Input, context: RequestContext) {
    const sourceName = requiredString(input, "deliverySourceName");
    const destinationArn = requiredString(input, "deliveryDestinationArn");
    this.requireSource(sourceName, context);
    const destination = [...this.table("deliveryDestination", context).values()].find(
      (d) => d["arn"] === destinationArn,
    );
    if (!destination) throw notFound(`Delivery destination ${destinationArn} does not exist.`);
    const deliveries = this.table("delivery", context);
    if (
      [...deliveries.values()].some(
        (d) => d["deliverySourceName"] === sourceName && d["deliveryDestinationArn"] === destinationArn,
      )
    ) {
      throw conflict(`A delivery from ${sourceName} to ${destinationArn} already exists.`);
    }
    const id = randomBytes(8).toString("hex");
    const delivery = {
      id,
      arn: this.arn(context, `delivery:${id}`),
      deliverySourceName: sourceName,
      deliveryDestinationArn: destinationArn,
      deliveryDestinationType: destination["deliveryDestinationType"],
      ...(Array.isArray(input["recordFields"]) ? { recordFields: input["recordFields"] } : {}),
      ...(typeof input["fieldDelimiter"] === "string" ? { fieldDelimiter: input["fieldDelimiter"] } : {}),
      tags: optionalTags(input, "tags") ?? {},
    };
    this.put("delivery", context, id, delivery);
    return { delivery };
  }

  async getDelivery(input: Input, context: RequestContext) {
    return { delivery: this.requireDelivery(requiredString(input, "id"), context) };
  }

  async describeDeliveries(input: Input, context: RequestContext) {
    const { page, nextToken } = this.page([...this.table("delivery", context).values()], input);
    return { deliveries: page, ...(nextToken ? { nextToken } : {}) };
  }

  async deleteDelivery(input: Input, context: RequestContext) {
    const id = requiredString(input, "id");
    this.requireDelivery(id, context);
    this.remove("delivery", context, id);
    return {};
  }

  private requireDelivery(id: string, context: RequestContext): Resource {
    const delivery = this.table("delivery", context).get(id);
    if (!delivery) throw notFound(`Delivery ${id} does not exist.`);
    return delivery;
  }
}

function deliveryName(input: Input): string {
  const name = requiredString(input, "name");
  if (name.length < 1 || name.length > limits.DELIVERY_NAME_MAX_LENGTH || !DELIVERY_NAME.test(name)) {
    throw validation(
      `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]*`,
    );
  }
  return name;
}

function byName(table: Map<string, Resource>): Resource[] {
  return [...table.values()].sort((a, b) => (String(a["name"]) < String(b["name"]) ? -1 : 1));
}

function withoutPolicy(resource: Resource): Resource {
  const { policy: _policy, ...rest } = resource;
  void _policy;
  return rest;
}

function isIndexToken(value: unknown): value is { i: number } {
  return typeof (value as { i?: unknown } | null)?.i === "number";
}
