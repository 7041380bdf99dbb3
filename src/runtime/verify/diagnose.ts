import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { GetRoleCommand, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { GetFunctionConfigurationCommand, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import {
  HANDLER_ENV,
  MAPPING_FAILURE_QUEUE,
  type FunctionKey,
  type MappingKey,
  type RoleKey,
  type Stack,
} from "../../pipeline/stack/index.js";
import { createOpenSearchClient } from "../../pipeline/stages/index-sync-opensearch.js";
import { filterLog, queueDepth } from "./probes.js";
import { errorText } from "./runner.js";
import type { Finding, VerifyEnv } from "./types.js";

/**
 * Diagnosis: each function tests one likely cause of a failed check against the live stack and
 * says what it found and the command that fixes it. They never throw: a cause that cannot be
 * tested is reported as a finding.
 */

/** `pipeline <command>` with the target flag when it is not the default. */
export function fixCommand(env: Pick<VerifyEnv, "config">, command: string): string {
  return env.config.target === "local"
    ? `pipeline ${command}`
    : `pipeline ${command} --target ${env.config.target}`;
}

async function guarded(subject: string, test: () => Promise<Finding[]>): Promise<Finding[]> {
  try {
    return await test();
  } catch (error) {
    return [{ subject, ok: false, found: `could not be read: ${errorText(error)}` }];
  }
}

const SECRET_ENV = new Set<string>([HANDLER_ENV.sourceApiKey]);

/** The function exists, is Active, and its environment is the declared one. */
export function diagnoseFunction(env: VerifyEnv, stack: Stack, key: FunctionKey): Promise<Finding[]> {
  const declared = stack.functions[key];
  const subject = `function ${declared.name}`;
  return guarded(subject, async () => {
    const lambda = await env.clients.lambda();
    let config;
    try {
      config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: declared.name }));
    } catch (error) {
      if ((error as Error).name === "ResourceNotFoundException") {
        return [{ subject, ok: false, found: "does not exist", fix: fixCommand(env, "deploy") }];
      }
      throw error;
    }
    const findings: Finding[] = [];
    const state = config.State ?? "Active";
    findings.push(
      state === "Active"
        ? { subject, ok: true, found: `Active, ${config.Runtime ?? "?"}, ${config.Timeout ?? "?"} s timeout` }
        : {
            subject,
            ok: false,
            found: `state ${state}: ${config.StateReason ?? "no reason given"}`,
            fix: fixCommand(env, "deploy"),
          },
    );
    const actual = config.Environment?.Variables ?? {};
    const wanted = declared.definition.Environment.Variables;
    const problems: string[] = [];
    for (const [name, value] of Object.entries(wanted)) {
      if (!(name in actual)) problems.push(`${name} is missing`);
      else if (actual[name] !== value)
        problems.push(
          SECRET_ENV.has(name)
            ? `${name} differs from the declared value`
            : `${name} is ${JSON.stringify(actual[name])}, declared ${JSON.stringify(value)}`,
        );
    }
    findings.push(
      problems.length === 0
        ? {
            subject: `${subject} environment`,
            ok: true,
            found: `${Object.keys(wanted).length} variables as declared`,
          }
        : {
            subject: `${subject} environment`,
            ok: false,
            found: problems.join("; "),
            fix: fixCommand(env, "deploy"),
          },
    );
    return findings;
  });
}

/** The role exists with its inline policies. */
export function diagnoseRole(env: VerifyEnv, stack: Stack, key: RoleKey): Promise<Finding[]> {
  const declared = stack.roles[key];
  const subject = `role ${declared.name}`;
  return guarded(subject, async () => {
    const iam = await env.clients.iam();
    try {
      await iam.send(new GetRoleCommand({ RoleName: declared.name }));
    } catch (error) {
      if ((error as Error).name === "NoSuchEntityException") {
        return [{ subject, ok: false, found: "does not exist", fix: fixCommand(env, "deploy") }];
      }
      throw error;
    }
    const listed = await iam.send(new ListRolePoliciesCommand({ RoleName: declared.name }));
    const have = new Set(listed.PolicyNames ?? []);
    const missing = declared.inlinePolicies.map((p) => p.name).filter((name) => !have.has(name));
    return [
      missing.length === 0
        ? { subject, ok: true, found: `exists with its ${declared.inlinePolicies.length} inline policies` }
        : {
            subject,
            ok: false,
            found: `inline policy missing: ${missing.join(", ")}`,
            fix: fixCommand(env, "deploy"),
          },
    ];
  });
}

/** The table exists, is ACTIVE and streams NEW_AND_OLD_IMAGES. */
export function diagnoseTable(env: VerifyEnv, stack: Stack): Promise<Finding[]> {
  const subject = `table ${stack.table.name}`;
  return guarded(subject, async () => {
    const ddb = await env.clients.dynamodb();
    let table;
    try {
      table = (await ddb.send(new DescribeTableCommand({ TableName: stack.table.name }))).Table;
    } catch (error) {
      if ((error as Error).name === "ResourceNotFoundException") {
        return [{ subject, ok: false, found: "does not exist", fix: fixCommand(env, "deploy") }];
      }
      throw error;
    }
    const stream = table?.StreamSpecification;
    const problems: string[] = [];
    if (table?.TableStatus !== "ACTIVE") problems.push(`status ${table?.TableStatus ?? "unknown"}`);
    if (!stream?.StreamEnabled) problems.push("stream disabled");
    else if (stream.StreamViewType !== "NEW_AND_OLD_IMAGES")
      problems.push(`stream view ${stream.StreamViewType ?? "?"}`);
    return [
      problems.length === 0
        ? { subject, ok: true, found: "ACTIVE, stream NEW_AND_OLD_IMAGES" }
        : { subject, ok: false, found: problems.join("; "), fix: fixCommand(env, "deploy") },
    ];
  });
}

/** The stream mapping exists, is Enabled and its last batch went through. */
export function diagnoseMapping(env: VerifyEnv, stack: Stack, key: MappingKey): Promise<Finding[]> {
  const declared = stack.eventSourceMappings[key];
  const subject = `stream mapping of ${declared.definition.FunctionName}`;
  return guarded(subject, async () => {
    const lambda = await env.clients.lambda();
    const listed = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: declared.definition.FunctionName }),
    );
    const mapping = listed.EventSourceMappings?.[0];
    if (!mapping) return [{ subject, ok: false, found: "does not exist", fix: fixCommand(env, "deploy") }];
    if (mapping.State !== "Enabled") {
      return [
        {
          subject,
          ok: false,
          found: `state ${mapping.State ?? "unknown"} (uuid ${mapping.UUID ?? "?"})`,
          fix: `aws lambda update-event-source-mapping --uuid ${mapping.UUID ?? "<uuid>"} --enabled, or ${fixCommand(env, "deploy")}`,
        },
      ];
    }
    const last = mapping.LastProcessingResult ?? "No records processed";
    return [
      {
        subject,
        ok: !/fail|problem/i.test(last),
        found: `Enabled, batch ${mapping.BatchSize ?? "?"}, last result: ${last}`,
      },
    ];
  });
}

/** The latest error lines in the function's log group since the check began. */
export function diagnoseLogErrors(
  env: VerifyEnv,
  stack: Stack,
  key: FunctionKey,
  since: number,
): Promise<Finding[]> {
  const group = stack.logGroups[key].name;
  const subject = `log group ${group}`;
  return guarded(subject, async () => {
    const events = await filterLog(env.clients, group, { since, pattern: "ERROR" });
    if (events.length === 0) return [{ subject, ok: true, found: "no ERROR lines" }];
    // Distinct causes first: the same error on many records is one finding, not three copies.
    const latest = [...new Set(events.map((event) => logLineSummary(event.message ?? "")))].slice(-3);
    return [
      {
        subject,
        ok: false,
        found: `${events.length} ERROR line(s); latest: ${latest.join(" | ")}`,
        fix: `${fixCommand(env, `logs ${stack.functions[key].name}`)} --since 15m`,
      },
    ];
  });
}

/**
 * One log line, shortened to what says why: for the handlers' structured JSON lines the message,
 * the item key and the error; other lines (the runtime's own) as they are.
 */
export function logLineSummary(line: string): string {
  const text = line.trim();
  const start = text.indexOf("{");
  if (start >= 0) {
    try {
      const entry = JSON.parse(text.slice(start)) as Record<string, unknown>;
      const error = entry.error ?? entry.errorMessage ?? entry.reason;
      const errorText =
        typeof error === "string"
          ? error
          : typeof (error as { message?: unknown } | undefined)?.message === "string"
            ? (error as { message: string }).message
            : undefined;
      const key =
        typeof entry.pk === "string"
          ? `${entry.pk}${typeof entry.sk === "string" ? `/${entry.sk}` : ""}`
          : "";
      const parts = [String(entry.message ?? ""), key, errorText].filter((part) => part);
      if (parts.length > 0) return parts.join(": ").slice(0, 300);
    } catch {
      // not JSON after all: keep the line
    }
  }
  return text.slice(0, 300);
}

/** index-sync can reach the OpenSearch endpoint its environment names. */
export function diagnoseOpenSearch(env: VerifyEnv, stack: Stack): Promise<Finding[]> {
  const declared = stack.functions["index-sync"];
  const subject = "OpenSearch endpoint of index-sync";
  return guarded(subject, async () => {
    const lambda = await env.clients.lambda();
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: declared.name }));
    const endpoint = config.Environment?.Variables?.[HANDLER_ENV.opensearchEndpoint];
    if (!endpoint) {
      return [
        {
          subject,
          ok: false,
          found: `${HANDLER_ENV.opensearchEndpoint} is not set`,
          fix: fixCommand(env, "deploy"),
        },
      ];
    }
    const client = createOpenSearchClient(endpoint, { region: stack.params.region });
    try {
      await client.info({}, { requestTimeout: 3000 });
      return [{ subject, ok: true, found: `${endpoint} answers` }];
    } catch (error) {
      return [
        {
          subject,
          ok: false,
          found: `${endpoint} cannot be reached: ${errorText(error)}`,
          fix: endpoint === stack.index.endpoint ? "start the OpenSearch domain" : fixCommand(env, "deploy"),
        },
      ];
    } finally {
      await client.close();
    }
  });
}

/** Stream batches the mappings gave up on land in their failure queues as on-failure records. */
export async function diagnoseStreamDlq(env: VerifyEnv, stack: Stack): Promise<Finding[]> {
  const queues = [...new Set(Object.values(MAPPING_FAILURE_QUEUE))].map((key) => stack.queues[key].name);
  const findings = await Promise.all(
    queues.map((queue) => {
      const subject = `queue ${queue}`;
      return guarded(subject, async () => {
        const depth = await queueDepth(env.clients, queue);
        return [
          depth === 0
            ? { subject, ok: true, found: "empty: no stream batch given up on" }
            : {
                subject,
                ok: false,
                found: `${depth} on-failure record(s): stream batches a consumer gave up on after its retries`,
                fix: fixCommand(env, `dlq peek ${queue}`),
              },
        ];
      });
    }),
  );
  return findings.flat();
}

/**
 * Events that never reached a scraper: EventBridge puts what it could not deliver (missing
 * function, no permission) in the scraper DLQ, and so does Lambda for events it gave up on.
 */
export function diagnoseScraperDlq(env: VerifyEnv, stack: Stack): Promise<Finding[]> {
  const queue = stack.queues.scraperDlq.name;
  const subject = `queue ${queue}`;
  return guarded(subject, async () => {
    const depth = await queueDepth(env.clients, queue);
    return [
      depth === 0
        ? { subject, ok: true, found: "empty: no undelivered or abandoned scrape event" }
        : {
            subject,
            ok: false,
            found: `${depth} message(s): events EventBridge could not deliver or Lambda gave up on`,
            fix: fixCommand(env, `dlq peek ${queue}`),
          },
    ];
  });
}

/** Every likely cause for a scraper that did not finish. */
export async function diagnoseScraper(
  env: VerifyEnv,
  stack: Stack,
  key: FunctionKey,
  since: number,
): Promise<Finding[]> {
  const results = await Promise.all([
    diagnoseFunction(env, stack, key),
    diagnoseRole(env, stack, stack.functions[key].roleKey),
    diagnoseTable(env, stack),
    diagnoseLogErrors(env, stack, key, since),
  ]);
  return results.flat();
}

/** Every likely cause for a stream consumer that did not process. */
export async function diagnoseConsumer(
  env: VerifyEnv,
  stack: Stack,
  key: MappingKey,
  since: number,
): Promise<Finding[]> {
  const results = await Promise.all([
    diagnoseTable(env, stack),
    diagnoseMapping(env, stack, key),
    diagnoseFunction(env, stack, key),
    diagnoseRole(env, stack, stack.functions[key].roleKey),
    diagnoseLogErrors(env, stack, key, since),
    diagnoseStreamDlq(env, stack),
    ...(key === "index-sync" ? [diagnoseOpenSearch(env, stack)] : []),
  ]);
  return results.flat();
}
