/**
 * A replay run in its own process, for the crash test: the test bundles this file, starts it, and
 * kills it with SIGKILL midway. Arguments: endpoint, stack suffix, queue name, journal file, rate.
 */
import { defineStack } from "../../../src/pipeline/stack/index.js";
import { createClients } from "../../../src/runtime/aws/index.js";
import { replayQueue, selectQueues } from "../../../src/runtime/dlq/index.js";
import { testStackParams } from "../../helpers/stack-params.js";

const [endpoint = "", suffix = "", queueName = "", journalFile = "", rate = "2"] = process.argv.slice(2);
const clients = createClients({ target: "local", region: "us-east-1", endpoint, account: "000000000000" });
const stack = defineStack(testStackParams({ suffix }));
const [queue] = selectQueues(stack, queueName);
const report = await replayQueue({ clients, stack, holdSeconds: 2 }, queue!, {
  journalFile,
  ratePerSecond: Number(rate),
});
process.stdout.write(`${JSON.stringify({ sent: report.sent, failed: report.failed })}\n`);
clients.destroy();
