// Shared by the scale benches (not a suite: the harness loads only scripts/bench/*.mjs).
// A deployed stack on the embedded target as a user runs it: the built CLI's emulator in its own
// process (so its memory and its Lambda processes' can be measured apart from the bench), the
// fixture source server in the bench process (so its counters can be read directly), and the CLI
// for deploy, roster import and the schedule trigger, each run in a work folder of its own.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListEventSourceMappingsCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";

export const REGION = "us-east-1";
const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

export async function waitFor(read, what, timeoutMs, intervalMs = 1000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function sdkOptions(url) {
  return { endpoint: url, region: REGION, credentials: CREDENTIALS };
}

/**
 * Starts the emulator (`pipeline emulator start --in-memory`) and the fixture server on free ports,
 * with a work folder holding `pipeline.config.json` (the given config). `cli(args)` runs the built
 * CLI there against them; `stop()` ends both and removes the folder.
 */
export async function startStack(root, { config = {}, fixtures: fixtureOptions = {} } = {}) {
  const main = join(root, "dist", "commands", "main.js");
  if (!existsSync(main)) throw new Error("dist/commands/main.js is missing: run `npm run build` first");
  const { startFixtureServer } = await import(join(root, "dist", "runtime", "fixtures", "index.js"));
  const work = mkdtempSync(join(tmpdir(), "pipeline-bench-scale-"));
  // No demo people seeded by deploy: the bench imports its own roster (generated ids of another
  // width would collide with the demo people's handles).
  const settings = { ...config, roster: { seedDemoWhenEmpty: false, ...config.roster } };
  writeFileSync(join(work, "pipeline.config.json"), JSON.stringify(settings, null, 2));
  const [emulatorPort, fixturesPort] = [await freePort(), await freePort()];
  const fixtures = await startFixtureServer({ port: fixturesPort, ...fixtureOptions });
  const env = { ...process.env, NO_COLOR: "1" };
  for (const key of Object.keys(env))
    if (key.startsWith("PIPELINE_") || key.startsWith("AWS_")) delete env[key];
  Object.assign(env, {
    PIPELINE_TARGET: "local",
    PIPELINE_EMULATOR_PORT: String(emulatorPort),
    PIPELINE_FIXTURES_PORT: String(fixturesPort),
  });
  const url = `http://127.0.0.1:${emulatorPort}`;
  let log = "";
  // Through the launcher, as an operator starts it (it sets what the emulator's process runs with;
  // it execs Node, so the pid is the emulator's own).
  const emulator = spawn(
    join(root, "bin", "pipeline"),
    ["emulator", "start", "--in-memory", "--port", String(emulatorPort)],
    {
      cwd: work,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  emulator.stdout.on("data", (chunk) => (log = (log + chunk).slice(-4000)));
  emulator.stderr.on("data", (chunk) => (log = (log + chunk).slice(-4000)));
  const exited = new Promise((resolve) => emulator.once("exit", resolve));
  const stop = async () => {
    if (emulator.exitCode === null && emulator.signalCode === null) {
      emulator.kill("SIGTERM");
      const timer = setTimeout(() => emulator.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await fixtures.stop();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (emulator.exitCode !== null) throw new Error(`the emulator exited ${emulator.exitCode}: ${log}`);
        try {
          return (await fetch(`${url}/_emulator/health`)).ok;
        } catch {
          return false;
        }
      },
      "the emulator to answer",
      60_000,
      200,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const cli = (args, { input, timeoutMs = 600_000 } = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [main, ...args], {
        cwd: work,
        env,
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.once("error", reject);
      child.once("close", (code) => {
        clearTimeout(timer);
        if (code !== 0)
          reject(new Error(`pipeline ${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`));
        else resolve({ stdout, stderr });
      });
      child.stdin.end(input ?? "");
    });
  return { url, work, fixtures, emulatorPid: emulator.pid, cli, stop };
}

/**
 * The stack's work queues (celebrity-scrape-<source>) and, per queue, whether an event source
 * mapping (the workers) consumes it: the benches measure runs through the work queues only.
 */
export async function workerMappings(url) {
  const sqs = new SQSClient(sdkOptions(url));
  const lambda = new LambdaClient(sdkOptions(url));
  try {
    const { QueueUrls = [] } = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: "celebrity-scrape-" }),
    );
    const found = [];
    for (const queueUrl of QueueUrls) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
      );
      const { EventSourceMappings = [] } = await lambda.send(
        new ListEventSourceMappingsCommand({ EventSourceArn: Attributes.QueueArn }),
      );
      found.push({ queue: queueUrl.split("/").pop(), mappings: EventSourceMappings.length });
    }
    return found;
  } finally {
    sqs.destroy();
    lambda.destroy();
  }
}

/** Why a bench cannot measure a run through the work queues yet, or undefined when it can. */
export function missingWorkers(queues) {
  if (queues.length === 0) return "the stack declares no work queues (celebrity-scrape-<source>)";
  const idle = queues.filter((queue) => queue.mappings === 0).map((queue) => queue.queue);
  if (idle.length > 0) return `no worker consumes ${idle.join(", ")} (no event source mapping on it)`;
  return undefined;
}

/** The result a bench returns when the workers are not deployed: no figure, one failed check. */
export function needsWorkQueues(reason) {
  return {
    figures: [],
    checks: [
      {
        label: "needs the work queues (issue 11: planner, workers on an SQS mapping per source)",
        pass: false,
        detail: `${reason}; nothing was measured`,
      },
    ],
  };
}

const PAGE_SIZE = 4096;

/** Memory (RSS) and CPU time of every process in the tree under rootPid, from /proc (Linux). */
function processTable() {
  const table = new Map();
  if (!existsSync("/proc/self/stat")) return table;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      table.set(Number(entry), {
        ppid: Number(fields[1]),
        // utime + stime, in clock ticks (USER_HZ 100)
        cpuMs: (Number(fields[11]) + Number(fields[12])) * 10,
        // rss, in pages
        rssBytes: Number(fields[21]) * PAGE_SIZE,
      });
    } catch {
      // gone between readdir and read
    }
  }
  return table;
}

/**
 * Proportional set size in bytes (shared pages divided among the processes sharing them), from
 * /proc/<pid>/smaps_rollup; undefined where the kernel has no such file.
 */
function pssOf(pid) {
  try {
    const kb = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

function kindOf(pid, rootPid) {
  if (pid === rootPid) return "emulator";
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    const service = environ.find((line) => line.startsWith("POWERTOOLS_SERVICE_NAME="));
    if (service) {
      const fn = service.slice("POWERTOOLS_SERVICE_NAME=".length);
      return `lambda ${fn.startsWith("scraper-") ? "scrapers" : fn}`;
    }
  } catch {
    // gone
  }
  return "other";
}

/**
 * Samples the tree under rootPid until stopped: the peak of the summed RSS (each process's resident
 * pages, shared ones counted in each: an upper bound), the peak of the summed PSS (shared pages
 * divided among their sharers: what the group takes from the machine), the peak of the root alone,
 * and CPU per kind of process.
 */
export function watchProcesses(rootPid, sampleMs = 500) {
  const seen = new Map();
  let peakTotal = 0;
  let peakPss = 0;
  let peakRoot = 0;
  let peakProcesses = 0;
  /** At the sample of the peak PSS: PSS and process count per kind (what the peak is made of). */
  let peakPssByKind = new Map();
  const sample = () => {
    const table = processTable();
    const inTree = new Set([rootPid]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, info] of table) {
        if (!inTree.has(pid) && inTree.has(info.ppid)) {
          inTree.add(pid);
          grew = true;
        }
      }
    }
    let total = 0;
    let pss = 0;
    let count = 0;
    const pssByKind = new Map();
    for (const pid of inTree) {
      const info = table.get(pid);
      if (!info) continue;
      total += info.rssBytes;
      const processPss = pssOf(pid) ?? info.rssBytes;
      pss += processPss;
      count += 1;
      if (pid === rootPid) peakRoot = Math.max(peakRoot, info.rssBytes);
      const known = seen.get(pid) ?? { kind: "other", cpuMs: 0 };
      if (known.kind === "other") known.kind = kindOf(pid, rootPid);
      const share = pssByKind.get(known.kind) ?? { bytes: 0, processes: 0 };
      share.bytes += processPss;
      share.processes += 1;
      pssByKind.set(known.kind, share);
      known.cpuMs = Math.max(known.cpuMs, info.cpuMs);
      seen.set(pid, known);
    }
    peakTotal = Math.max(peakTotal, total);
    if (pss > peakPss) peakPssByKind = pssByKind;
    peakPss = Math.max(peakPss, pss);
    peakProcesses = Math.max(peakProcesses, count);
  };
  sample();
  const timer = setInterval(sample, sampleMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const cpuByKind = new Map();
      for (const { kind, cpuMs } of seen.values()) cpuByKind.set(kind, (cpuByKind.get(kind) ?? 0) + cpuMs);
      return { peakTotal, peakPss, peakPssByKind, peakRoot, peakProcesses, cpuByKind, processes: seen.size };
    },
  };
}

/** Documents in the stack's search index, all of them and those with the enrichment (processedAt). */
export async function indexCounts(url, extraFilter) {
  const endpoint = `${url}/opensearch/${REGION}/celebrities/celebrities/_count`;
  const count = async (query) => {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query }),
    });
    if (response.status === 404) return 0;
    if (!response.ok) throw new Error(`_count answered ${response.status}: ${await response.text()}`);
    return (await response.json()).count;
  };
  const filters = extraFilter ? [extraFilter] : [];
  return {
    all: await count(filters.length ? { bool: { filter: filters } } : { match_all: {} }),
    enriched: await count({ bool: { filter: [...filters, { exists: { field: "processedAt" } }] } }),
  };
}
