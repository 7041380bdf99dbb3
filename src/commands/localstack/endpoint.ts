import { describeSource, resolveConfig } from "../../runtime/config/index.js";
import type { CommandContext } from "../_kit/index.js";

export interface LocalStackEndpoint {
  url: string;
  /** Where it came from ("default, target localstack", "env AWS_ENDPOINT_URL", "flag --endpoint-url"). */
  from: string;
}

/** The endpoint of target localstack, whatever target the rest of the configuration selects. */
export function localstackEndpoint(ctx: CommandContext, endpointUrl: string | undefined): LocalStackEndpoint {
  const resolved = resolveConfig({
    cwd: ctx.cwd,
    env: ctx.env,
    flags: { target: "localstack", endpointUrl, config: ctx.flags.config },
  });
  const url = resolved.config.endpoint;
  const source = resolved.sources.get("endpoint");
  if (!url) throw new Error("target localstack resolved without an endpoint");
  return { url, from: source ? describeSource(source) : "config" };
}
