import { GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { HANDLER_ENV, type Stack } from "../../pipeline/stack/index.js";
import { networkCode, type AwsClients } from "../aws/index.js";
import { failureQueues } from "../dlq/index.js";
import { DOCKER_HOST_ALIASES } from "../invoke/local-sources.js";
import type { Finding } from "./findings.js";

/**
 * What the deployed stack is doing, beside how it is wired: failures waiting in a failure queue
 * (each one work the pipeline did not do), and source APIs the scrapers cannot reach (every scrape
 * then fails into the DLQ). A topology that lints clean while 24 failures wait is not healthy.
 */

/** How a source URL answered a probe: any HTTP answer counts as reachable. */
export type ProbeOutcome = { reachable: true } | { reachable: false; code: string };

export type SourceProbe = (url: string) => Promise<ProbeOutcome>;

const PROBE_TIMEOUT_MS = 3000;

/** One GET with a short deadline; a status code of any kind means something answers there. */
export const probeUrl: SourceProbe = async (url) => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), redirect: "manual" });
    await response.body?.cancel();
    return { reachable: true };
  } catch (error) {
    if (error instanceof Error && error.name === "TimeoutError")
      return { reachable: false, code: "ETIMEDOUT" };
    return {
      reachable: false,
      code: networkCode(error) ?? (error instanceof Error ? error.message : "error"),
    };
  }
};

export interface SignalOptions {
  clients: AwsClients;
  stack: Stack;
  /** The fixture source server's address (config fixtures.host:port), named in the fix when a source points there. */
  fixtureOrigin?: string | undefined;
  probe?: SourceProbe;
}

export async function runtimeSignals(options: SignalOptions): Promise<Finding[]> {
  const [queues, sources] = await Promise.all([failureQueueFindings(options), sourceFindings(options)]);
  return [...queues, ...sources];
}

async function failureQueueFindings({ clients, stack }: SignalOptions): Promise<Finding[]> {
  const sqs = await clients.sqs();
  const found = await Promise.all(
    failureQueues(stack).map(async (queue): Promise<Finding | undefined> => {
      const [, , , , account, name] = queue.arn.split(":");
      let url: string | undefined;
      try {
        url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account })))
          .QueueUrl;
      } catch (error) {
        // A missing queue is the drift report's (not-deployed), not a depth.
        if (error instanceof Error && /QueueDoesNotExist|NonExistentQueue/.test(error.name)) return undefined;
        throw error;
      }
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      const visible = Number(Attributes.ApproximateNumberOfMessages ?? 0);
      const inFlight = Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
      if (visible + inFlight === 0) return undefined;
      const held = `${visible + inFlight} failure${visible + inFlight === 1 ? "" : "s"}`;
      return {
        severity: "error",
        code: "failure-queue-depth",
        resource: { kind: "queue", name: queue.name },
        message:
          `failure queue ${queue.name} holds ${held}${inFlight > 0 ? ` (${inFlight} in flight)` : ""}: ` +
          `work the pipeline did not do (${queue.feeds.length} failure route${queue.feeds.length === 1 ? "" : "s"} lead there)`,
        fix: `pipeline dlq peek ${queue.name} shows why they failed; once the cause is fixed, pipeline dlq replay ${queue.name}`,
      };
    }),
  );
  return found.filter((finding): finding is Finding => finding !== undefined);
}

/** Every source base URL a deployed function is configured with, with the functions using it. */
async function deployedSourceUrls(clients: AwsClients, stack: Stack): Promise<Map<string, string[]>> {
  const lambda = await clients.lambda();
  const urls = new Map<string, string[]>();
  await Promise.all(
    Object.values(stack.functions)
      .filter((fn) => fn.definition.Environment?.Variables?.[HANDLER_ENV.sourceBaseUrl] !== undefined)
      .map(async (fn) => {
        let variables: Record<string, string> = {};
        try {
          const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name }));
          variables = config.Environment?.Variables ?? {};
        } catch (error) {
          if ((error as Error).name === "ResourceNotFoundException") return;
          throw error;
        }
        for (const key of [HANDLER_ENV.sourceBaseUrl, HANDLER_ENV.sourceAuxBaseUrl]) {
          const url = variables[key];
          if (!url) continue;
          urls.set(url, [...(urls.get(url) ?? []), fn.name]);
        }
      }),
  );
  return urls;
}

/**
 * A source URL that names a Docker-side host (LocalStack's functions reach the compose `fixtures`
 * service by name) is probed where that service publishes its port on this machine.
 */
function probeAddress(url: string): { url: string; via?: string } {
  const parsed = new URL(url);
  if (!DOCKER_HOST_ALIASES.includes(parsed.hostname)) return { url };
  const via = parsed.host;
  parsed.hostname = "127.0.0.1";
  return { url: parsed.toString(), via };
}

async function sourceFindings(options: SignalOptions): Promise<Finding[]> {
  const probe = options.probe ?? probeUrl;
  const urls = await deployedSourceUrls(options.clients, options.stack);
  // One probe and one finding per origin: four sources on one fixture server are one cause.
  const byOrigin = new Map<string, { url: string; functions: Set<string> }>();
  for (const [url, functions] of urls) {
    const origin = new URL(url).origin;
    const entry = byOrigin.get(origin) ?? { url, functions: new Set<string>() };
    for (const name of functions) entry.functions.add(name);
    byOrigin.set(origin, entry);
  }
  const found = await Promise.all(
    [...byOrigin].map(async ([origin, { url, functions }]): Promise<Finding | undefined> => {
      const address = probeAddress(url);
      const outcome = await probe(address.url);
      if (outcome.reachable) return undefined;
      const users = [...functions].sort().join(", ");
      const seen = address.via ? ` (probed on this machine's published port for ${address.via})` : "";
      if (outcome.code === "ENOTFOUND" || outcome.code === "EAI_AGAIN") {
        return {
          severity: "info",
          code: "source-not-checked",
          resource: { kind: "function", name: users },
          message: `source ${origin} (used by ${users}) was not checked: its host name does not resolve here${seen}`,
          fix: "none needed if the functions resolve it where they run; otherwise correct sources.<source>.baseUrl, then pipeline deploy",
        };
      }
      const fixture = options.fixtureOrigin !== undefined && origin === new URL(options.fixtureOrigin).origin;
      return {
        severity: "error",
        code: "source-unreachable",
        resource: { kind: "function", name: users },
        message: `nothing answers at ${origin}${seen} (${outcome.code}), the source API of ${users}: every scrape fails into the scraper DLQ`,
        fix: fixture
          ? "start the fixture source server (pipeline fixtures serve, or pipeline emulator start --with-fixtures)"
          : "bring the source API back, or correct sources.<source>.baseUrl (env PIPELINE_<SOURCE>_BASE_URL), then pipeline deploy",
      };
    }),
  );
  return found.filter((finding): finding is Finding => finding !== undefined);
}
