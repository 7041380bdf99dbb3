import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { InvokeCommand, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { SOURCES } from "../../../pipeline/model/sources.js";
import {
  MANUAL_SCRAPE_EVENT,
  MAPPING_KEYS,
  scraperFunctionKey,
  type Stack,
} from "../../../pipeline/stack/index.js";
import { canaryCheck, type CanaryState } from "../canary.js";
import { entriesCheck, enrichedCheck, indexCheck } from "../counts.js";
import { diagnoseFunction, diagnoseMapping, diagnoseTable, fixCommand } from "../diagnose.js";
import { filterLog, queueDepth } from "../probes.js";
import { reconcileCheck } from "../reconcile.js";
import { awaitRunRecords, finishedRule, diagnoseRun, newRunId, type ScrapeRun } from "../scrape-run.js";
import { failed, passed, type PhaseDefinition } from "../types.js";

/** 4B Streams: the stream and its mappings, then an asynchronous scrape flowing through both consumers. */
interface State extends CanaryState {
  since: number;
  run?: ScrapeRun;
}

const realStack = (env: { stack: Stack }) => env.stack;

export const phase4b: PhaseDefinition<State> = {
  phase: "phase-4b",
  title: "4B Streams",
  createState: (env) => ({ since: env.now().getTime() }),
  checks: [
    {
      id: "stream",
      rule: "StreamSpecification enabled with NEW_AND_OLD_IMAGES",
      title: "Table stream enabled with NEW_AND_OLD_IMAGES",
      async run(env) {
        const ddb = await env.clients.dynamodb();
        const table = (await ddb.send(new DescribeTableCommand({ TableName: env.stack.table.name }))).Table;
        const spec = table?.StreamSpecification;
        const measured = spec?.StreamEnabled ? `stream ${spec.StreamViewType ?? "?"}` : "no stream";
        return spec?.StreamEnabled && spec.StreamViewType === "NEW_AND_OLD_IMAGES"
          ? passed(measured)
          : failed(measured, `${env.stack.table.name} must stream NEW_AND_OLD_IMAGES`, [
              `fix: ${fixCommand(env, "deploy")}`,
            ]);
      },
      diagnose: (env) => diagnoseTable(env, env.stack),
    },
    {
      id: "mappings",
      rule: "both mappings on the table's stream: Enabled, batch size and starting position as declared, key-prefix filter",
      title: "Stream mappings enabled, batch 100, LATEST, key-prefix filter",
      async run(env) {
        const { stack } = env;
        const lambda = await env.clients.lambda();
        const ddb = await env.clients.dynamodb();
        const streamArn = (await ddb.send(new DescribeTableCommand({ TableName: stack.table.name }))).Table
          ?.LatestStreamArn;
        const problems: string[] = [];
        let good = 0;
        for (const key of MAPPING_KEYS) {
          const declared = stack.eventSourceMappings[key].definition;
          const listed = await lambda.send(
            new ListEventSourceMappingsCommand({ FunctionName: declared.FunctionName }),
          );
          const mapping = listed.EventSourceMappings?.find((m) => m.EventSourceArn === streamArn);
          const name = `mapping ${declared.FunctionName}`;
          if (!mapping) {
            problems.push(`${name}: none on the table's stream`);
            continue;
          }
          const before = problems.length;
          if (mapping.State !== "Enabled")
            problems.push(`${name}: state ${mapping.State ?? "?"} (uuid ${mapping.UUID ?? "?"})`);
          if (mapping.BatchSize !== declared.BatchSize)
            problems.push(`${name}: batch ${mapping.BatchSize ?? "?"}, declared ${declared.BatchSize}`);
          if (mapping.StartingPosition !== declared.StartingPosition)
            problems.push(`${name}: starting position ${mapping.StartingPosition ?? "?"}`);
          const wanted = declared.FilterCriteria?.Filters?.map((f) => f.Pattern) ?? [];
          const actual = mapping.FilterCriteria?.Filters?.map((f) => f.Pattern) ?? [];
          const same = (a?: string, b?: string) =>
            a !== undefined &&
            b !== undefined &&
            JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
          if (!wanted.every((w) => actual.some((a) => same(a, w))))
            problems.push(`${name}: key-prefix filter missing`);
          if (problems.length === before) good += 1;
        }
        const measured = `${good}/${MAPPING_KEYS.length} mappings enabled as declared`;
        return problems.length
          ? failed(measured, "stream mappings differ from the declaration", problems)
          : passed(measured);
      },
      async diagnose(env) {
        return (await Promise.all(MAPPING_KEYS.map((key) => diagnoseMapping(env, env.stack, key)))).flat();
      },
    },
    canaryCheck<State>(realStack),
    {
      id: "invoke",
      rule: "Lambda accepts an asynchronous invocation (202) of each scraper",
      title: "Asynchronous invocation of the four scrapers",
      async run(env, state) {
        const { stack } = env;
        const lambda = await env.clients.lambda();
        const runId = newRunId(env, "4b");
        state.run = {
          runId,
          since: env.now().getTime(),
          dlqBaseline: await queueDepth(env.clients, stack.queues.scraperDlq.name),
        };
        const event = {
          version: "0",
          id: runId,
          "detail-type": MANUAL_SCRAPE_EVENT.detailType,
          source: MANUAL_SCRAPE_EVENT.source,
          account: env.account,
          time: env
            .now()
            .toISOString()
            .replace(/\.\d{3}Z$/, "Z"),
          region: stack.params.region,
          resources: [],
          detail: { runId },
        };
        const statuses = await Promise.all(
          SOURCES.map(async (source) => {
            const name = stack.functions[scraperFunctionKey(source)].name;
            const answer = await lambda.send(
              new InvokeCommand({
                FunctionName: name,
                InvocationType: "Event",
                Payload: JSON.stringify(event),
              }),
            );
            return { name, status: answer.StatusCode ?? 0 };
          }),
        );
        const accepted = statuses.filter((s) => s.status === 202).length;
        const measured = `${accepted}/${SOURCES.length} invocations accepted (202)`;
        return accepted === SOURCES.length
          ? passed(measured)
          : failed(
              measured,
              "Lambda refused some invocations",
              statuses.filter((s) => s.status !== 202).map((s) => `${s.name}: status ${s.status}`),
            );
      },
      async diagnose(env) {
        return (
          await Promise.all(SOURCES.map((s) => diagnoseFunction(env, env.stack, scraperFunctionKey(s))))
        ).flat();
      },
    },
    {
      id: "run-records",
      rule: finishedRule,
      title: "Their runs complete (every shard done)",
      run: (env, state, progress) => awaitRunRecords(env, env.stack, state.run!, progress),
      diagnose: (env, state) => diagnoseRun(env, env.stack, state.run),
    },
    entriesCheck<State>(realStack),
    {
      id: "post-processor-logs",
      rule: 'a "post-processing batch done" line in the post-processor\'s log since the phase began',
      title: "Post-processor activity in its logs",
      async run(env, state) {
        const group = env.stack.logGroups["post-processor"].name;
        const events = await filterLog(env.clients, group, {
          since: state.since,
          pattern: '"post-processing batch done"',
        });
        const measured = `${events.length} batch(es) since the phase began`;
        return events.length > 0
          ? passed(measured)
          : failed(measured, `no "post-processing batch done" line in ${group}`);
      },
    },
    enrichedCheck<State>(realStack, (s) => s.since),
    indexCheck<State>(realStack, (s) => s.since),
    reconcileCheck<State>(realStack),
  ],
};
