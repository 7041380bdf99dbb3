// Lambda in the emulator: Invoke round trips through the SDK, cold (a new Node process per
// invocation: spawn, runtime bootstrap, handler import) and warm (a reused execution environment),
// plus warm throughput with parallel callers. Runs against the built code in dist/
// (`npm run build` first).
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import AdmZip from "adm-zip";

export const name = "lambda";
export const description = "emulator Lambda: cold and warm Invoke latency, warm throughput";

const WARM_FACTOR = 10;
const PARALLEL_CALLERS = 4;
const PARALLEL_INVOCATIONS = 200;
const ROLE = "arn:aws:iam::000000000000:role/bench-lambda";
const HANDLER = `export const handler = async (event) => ({ echo: event.n, pid: process.pid });`;

export async function run({ runs, root }) {
  const entry = join(root, "dist", "runtime", "emulator", "index.js");
  if (!existsSync(entry))
    throw new Error("dist/runtime/emulator/index.js is missing: run `npm run build` first");
  const { createEmulator } = await import(entry);
  const emulator = await createEmulator({
    services: ["sts", "logs", "cloudwatch", "lambda"],
    settings: { lambdaConcurrencyPerFunction: PARALLEL_CALLERS },
  });
  const lambda = new LambdaClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const zip = new AdmZip();
  zip.addFile("index.mjs", Buffer.from(HANDLER));
  const code = zip.toBuffer();
  try {
    const deploy = async (functionName) => {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: functionName,
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          Role: ROLE,
          Code: { ZipFile: code },
        }),
      );
      for (;;) {
        const state = (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })))
          .State;
        if (state === "Active") return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const invoke = async (functionName, n) => {
      const started = performance.now();
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify({ n }), LogType: "Tail" }),
      );
      const elapsed = performance.now() - started;
      if (out.FunctionError) throw new Error(`bench function failed: ${Buffer.from(out.Payload).toString()}`);
      const log = Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
      const init = /Init Duration: ([\d.]+) ms/.exec(log);
      return { elapsed, initMs: init ? Number(init[1]) : undefined };
    };

    // Cold: each function's first invocation starts its execution environment.
    const cold = [];
    const init = [];
    for (let i = 0; i < runs; i++) {
      await deploy(`bench-cold-${i}`);
      const result = await invoke(`bench-cold-${i}`, i);
      cold.push(result.elapsed);
      if (result.initMs !== undefined) init.push(result.initMs);
    }

    // Warm: one environment, reused.
    await deploy("bench-warm");
    await invoke("bench-warm", -1);
    const warm = [];
    for (let i = 0; i < runs * WARM_FACTOR; i++) warm.push((await invoke("bench-warm", i)).elapsed);

    // Throughput: parallel callers over up to PARALLEL_CALLERS warm environments.
    await Promise.all(Array.from({ length: PARALLEL_CALLERS }, (_, i) => invoke("bench-warm", i)));
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: PARALLEL_CALLERS }, async () => {
        while (next < PARALLEL_INVOCATIONS) await invoke("bench-warm", next++);
      }),
    );
    const throughput = PARALLEL_INVOCATIONS / ((performance.now() - started) / 1000);

    const sorted = (values) => [...values].sort((a, b) => a - b);
    const coldSorted = sorted(cold);
    const warmSorted = sorted(warm);
    const initSorted = sorted(init);
    return {
      figures: [
        { label: "cold invoke p50 (new process)", value: percentile(coldSorted, 50), unit: "ms" },
        { label: "cold invoke p95", value: percentile(coldSorted, 95), unit: "ms" },
        { label: "Init Duration p50 (REPORT)", value: percentile(initSorted, 50), unit: "ms" },
        { label: "warm invoke p50", value: percentile(warmSorted, 50), unit: "ms" },
        { label: "warm invoke p95", value: percentile(warmSorted, 95), unit: "ms" },
        {
          label: `warm throughput, ${PARALLEL_CALLERS} callers`,
          value: throughput,
          unit: "invocations/s",
        },
      ],
      ratios: [
        { label: "cold p50 / warm p50", value: percentile(coldSorted, 50) / percentile(warmSorted, 50) },
      ],
      checks: [
        {
          label: "warm invoke p95 under 50 ms",
          pass: percentile(warmSorted, 95) < 50,
          detail: `${percentile(warmSorted, 95).toFixed(1)} ms`,
        },
        {
          label: "cold invoke p95 under 1000 ms",
          pass: percentile(coldSorted, 95) < 1000,
          detail: `${percentile(coldSorted, 95).toFixed(1)} ms`,
        },
      ],
    };
  } finally {
    lambda.destroy();
    await emulator.stop();
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
