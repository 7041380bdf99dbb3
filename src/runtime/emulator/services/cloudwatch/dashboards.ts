import type {
  DashboardValidationMessage,
  DeleteDashboardsInput,
  GetDashboardInput,
  GetDashboardOutput,
  ListDashboardsInput,
  ListDashboardsOutput,
  PutDashboardInput,
  PutDashboardOutput,
} from "@aws-sdk/client-cloudwatch";
import type { Clock } from "../../core/clock.js";
import { ServiceError } from "../../core/errors.js";
import type { RequestContext } from "../../core/request.js";
import { cloudwatchErrors } from "./errors.js";
import * as input from "./input.js";
import type { CloudWatchEntry, CloudWatchState, DashboardRecord } from "./store.js";

type Input = Record<string, unknown>;

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
const LIST_PAGE = 1000;
const WIDGET_TYPES = ["metric", "text", "log", "alarm", "explorer", "custom"];
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * CloudWatch dashboards: global per account (ARN `arn:aws:cloudwatch::<account>:dashboard/<name>`).
 * PutDashboard checks the body against the dashboard body structure CloudWatch documents and, as
 * CloudWatch, refuses an invalid one with `InvalidParameterInput` (DashboardInvalidInputError)
 * listing each problem as `{DataPath, Message}`.
 */
export class Dashboards {
  constructor(
    private readonly state: CloudWatchState,
    private readonly clock: Clock,
    private readonly commit: (entry: CloudWatchEntry) => void,
  ) {}

  async putDashboard(req: PutDashboardInput, context: RequestContext): Promise<PutDashboardOutput> {
    const i = req as unknown as Input;
    const name = dashboardName(i, "DashboardName");
    const body = input.requiredStr(i, "DashboardBody");
    const problems = validateBody(body);
    if (problems.length > 0) throw invalidBody(problems);
    this.commit({
      t: "dashboard",
      dashboard: { account: context.accountId, name, body, lastModified: this.clock.now() },
    });
    return { DashboardValidationMessages: [] };
  }

  async getDashboard(req: GetDashboardInput, context: RequestContext): Promise<GetDashboardOutput> {
    const name = dashboardName(req as unknown as Input, "DashboardName");
    const dashboard = this.state.dashboard(context.accountId, name);
    if (!dashboard) throw dashboardNotFound(name);
    return {
      DashboardArn: dashboardArn(dashboard),
      DashboardBody: dashboard.body,
      DashboardName: dashboard.name,
    };
  }

  async listDashboards(req: ListDashboardsInput, context: RequestContext): Promise<ListDashboardsOutput> {
    const i = req as unknown as Input;
    const prefix = input.str(i, "DashboardNamePrefix");
    const token = input.str(i, "NextToken");
    let after: string | undefined;
    if (token !== undefined) {
      after = Buffer.from(token, "base64url").toString("utf8");
      if (!after || Buffer.from(after).toString("base64url") !== token) throw cloudwatchErrors.invalidToken();
    }
    const matching = this.state
      .dashboards(context.accountId)
      .filter((d) => prefix === undefined || d.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .filter((d) => after === undefined || d.name > after);
    const page = matching.slice(0, LIST_PAGE);
    return {
      DashboardEntries: page.map((d) => ({
        DashboardName: d.name,
        DashboardArn: dashboardArn(d),
        LastModified: new Date(d.lastModified),
        Size: Buffer.byteLength(d.body),
      })),
      ...(matching.length > page.length
        ? { NextToken: Buffer.from(page[page.length - 1]!.name).toString("base64url") }
        : {}),
    };
  }

  /** All named dashboards must exist; otherwise none is deleted. */
  async deleteDashboards(
    req: DeleteDashboardsInput,
    context: RequestContext,
  ): Promise<Record<string, never>> {
    const names = input.stringList(req as unknown as Input, "DashboardNames");
    if (!names || names.length === 0) throw cloudwatchErrors.missing("DashboardNames");
    const missing = names.find((n) => !this.state.dashboard(context.accountId, n));
    if (missing !== undefined) throw dashboardNotFound(missing);
    this.commit({ t: "deleteDashboards", account: context.accountId, names });
    return {};
  }
}

export function dashboardArn(d: DashboardRecord): string {
  return `arn:aws:cloudwatch::${d.account}:dashboard/${d.name}`;
}

function dashboardName(i: Input, member: string): string {
  const name = input.requiredStr(i, member);
  if (!NAME_PATTERN.test(name)) {
    throw new ServiceError(
      "DashboardInvalidInputError",
      `The value ${name} for parameter ${member} is invalid: dashboard names have 1 to 255 letters, digits, "-" and "_".`,
      400,
      true,
      { dashboardValidationMessages: [{ DataPath: "", Message: `Invalid dashboard name ${name}` }] },
    );
  }
  return name;
}

function dashboardNotFound(name: string) {
  return new ServiceError("DashboardNotFoundError", `Dashboard ${name} does not exist`, 404);
}

function invalidBody(problems: DashboardValidationMessage[]) {
  const list = JSON.stringify(
    problems.map((p) => ({ dataPath: p.DataPath, message: p.Message })),
    null,
    2,
  );
  return new ServiceError(
    "DashboardInvalidInputError",
    `The dashboard body is invalid, there are ${problems.length} validation errors:\n${list}`,
    400,
    true,
    { dashboardValidationMessages: problems },
  );
}

/** The dashboard body structure: an object with a `widgets` array of well-formed widgets. */
export function validateBody(body: string): DashboardValidationMessage[] {
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    return [{ DataPath: "", Message: `Should not be longer than ${MAX_BODY_BYTES} bytes` }];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [{ DataPath: "", Message: "Should be valid JSON" }];
  }
  if (!isObject(parsed)) return [{ DataPath: "", Message: "Should be object" }];
  const problems: DashboardValidationMessage[] = [];
  const add = (DataPath: string, Message: string) => problems.push({ DataPath, Message });
  const widgets = parsed["widgets"];
  if (widgets === undefined) add("", "Should have required property 'widgets'");
  else if (!Array.isArray(widgets)) add("/widgets", "Should be array");
  else {
    widgets.forEach((widget: unknown, n) => {
      const at = `/widgets/${n}`;
      if (!isObject(widget)) return add(at, "Should be object");
      const type = widget["type"];
      if (type === undefined) return add(at, "Should have required property 'type'");
      if (typeof type !== "string" || !WIDGET_TYPES.includes(type)) {
        return add(`${at}/type`, "Should be equal to one of the allowed values");
      }
      for (const [key, min, max] of [
        ["x", 0, 23],
        ["y", 0, Number.MAX_SAFE_INTEGER],
        ["width", 1, 24],
        ["height", 1, 1000],
      ] as const) {
        const v = widget[key];
        if (v === undefined) continue;
        if (typeof v !== "number" || !Number.isInteger(v)) add(`${at}/${key}`, "Should be integer");
        else if (v < min) add(`${at}/${key}`, `Should be >= ${min}`);
        else if (v > max) add(`${at}/${key}`, `Should be <= ${max}`);
      }
      const properties = widget["properties"];
      if (type === "explorer" || type === "custom") return;
      if (properties === undefined) return add(at, "Should have required property 'properties'");
      if (!isObject(properties)) return add(`${at}/properties`, "Should be object");
      const props = `${at}/properties`;
      switch (type) {
        case "metric":
          if (properties["region"] === undefined) add(props, "Should have required property 'region'");
          if (properties["metrics"] !== undefined && !Array.isArray(properties["metrics"])) {
            add(`${props}/metrics`, "Should be array");
          }
          if (properties["metrics"] === undefined && properties["annotations"] === undefined) {
            add(props, "Should have required property 'metrics'");
          }
          break;
        case "text":
          if (typeof properties["markdown"] !== "string")
            add(props, "Should have required property 'markdown'");
          break;
        case "log":
          if (typeof properties["query"] !== "string") add(props, "Should have required property 'query'");
          if (properties["region"] === undefined) add(props, "Should have required property 'region'");
          break;
        case "alarm":
          if (!Array.isArray(properties["alarms"])) add(props, "Should have required property 'alarms'");
          break;
      }
    });
  }
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
