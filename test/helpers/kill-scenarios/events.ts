import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { clientConfig, waitFor } from "../crash-clients.js";
import { workers, type KillScenario } from "../kill-rounds.js";

/**
 * EventBridge under kill -9: rules created (PutRule) and events put (PutEvents) to a rule whose
 * target, an API destination, answers 503 to the first two attempts of every event, so deliveries
 * are in retry when the kill comes. After a restart: every acknowledged rule exists, and every
 * acknowledged event reaches the endpoint (the pending retries resumed).
 */

interface Context {
  server: Server;
  attempts: Map<string, number>;
  delivered: Set<string>;
  events: Set<string>;
  rules: Set<string>;
  next: number;
}

const FAILURES_PER_EVENT = 2;

export function eventsScenario(): KillScenario<Context> {
  return {
    services: ["events"],
    // Retry waits of 1, 2, 4 s scaled to 0.2, 0.4, 0.8 s: the kill finds events between attempts.
    settings: { retryWaitScale: 0.2 },
    async setup(url) {
      const attempts = new Map<string, number>();
      const delivered = new Set<string>();
      const server = createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
          const id = (JSON.parse(body) as { detail: { id: string } }).detail.id;
          const count = (attempts.get(id) ?? 0) + 1;
          attempts.set(id, count);
          if (count <= FAILURES_PER_EVENT) {
            res.writeHead(503).end();
          } else {
            delivered.add(id);
            res.writeHead(200).end("{}");
          }
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const events = new EventBridgeClient(clientConfig(url));
      try {
        const { ConnectionArn } = await events.send(
          new CreateConnectionCommand({
            Name: "kill-hook",
            AuthorizationType: "API_KEY",
            AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "secret" } },
          }),
        );
        const { ApiDestinationArn } = await events.send(
          new CreateApiDestinationCommand({
            Name: "kill-hook",
            ConnectionArn,
            InvocationEndpoint: endpoint,
            HttpMethod: "POST",
          }),
        );
        await events.send(
          new PutRuleCommand({
            Name: "kill-events",
            EventPattern: JSON.stringify({ source: ["kill.test"] }),
          }),
        );
        await events.send(
          new PutTargetsCommand({
            Rule: "kill-events",
            Targets: [
              {
                Id: "hook",
                Arn: ApiDestinationArn,
                RoleArn: "arn:aws:iam::000000000000:role/events-invoke",
              },
            ],
          }),
        );
      } finally {
        events.destroy();
      }
      return { server, attempts, delivered, events: new Set(), rules: new Set(), next: 0 };
    },
    async load(url, context, acknowledged, signal) {
      const events = new EventBridgeClient(clientConfig(url));
      try {
        await workers(5, signal, async (worker) => {
          const id = `e-${String(context.next++).padStart(6, "0")}`;
          if (worker === 4) {
            await events.send(new PutRuleCommand({ Name: `rule-${id}`, ScheduleExpression: "rate(1 day)" }));
            context.rules.add(`rule-${id}`);
          } else {
            const answer = await events.send(
              new PutEventsCommand({
                Entries: [{ Source: "kill.test", DetailType: "kill", Detail: JSON.stringify({ id }) }],
              }),
            );
            if (answer.FailedEntryCount)
              throw new Error(`PutEvents failed: ${JSON.stringify(answer.Entries)}`);
            context.events.add(id);
          }
          acknowledged();
        });
      } finally {
        events.destroy();
      }
    },
    async verify(url, context) {
      const events = new EventBridgeClient(clientConfig(url));
      const rules = new Set<string>();
      try {
        let token: string | undefined;
        do {
          const page = await events.send(new ListRulesCommand({ NamePrefix: "rule-", NextToken: token }));
          for (const rule of page.Rules ?? []) rules.add(rule.Name!);
          token = page.NextToken;
        } while (token);
      } finally {
        events.destroy();
      }
      await waitFor(
        () => [...context.events].every((id) => context.delivered.has(id)),
        "every acknowledged event to reach its target",
        30_000,
      ).catch(() => undefined);
      const lost = [
        ...[...context.rules].filter((name) => !rules.has(name)).map((name) => `rule ${name} is gone`),
        ...[...context.events]
          .filter((id) => !context.delivered.has(id))
          .map((id) => `event ${id} never reached its target (${context.attempts.get(id) ?? 0} attempts)`),
      ];
      return { checked: context.rules.size + context.events.size, lost };
    },
    async teardown(context) {
      context.server.closeAllConnections();
      await new Promise((resolve) => context.server.close(resolve));
    },
  };
}
