import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * Runs the emulator in a child process so a test can `kill -9` it and check that what it had
 * acknowledged survived (the journal is written before each answer). The emulator source is
 * bundled with esbuild; packages stay external and resolve from the repository's node_modules.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CACHE = join(ROOT, "node_modules", ".cache", "pipeline-tests");

export interface EmulatorProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** What start-up recovery repaired, as the emulator reported it. */
  recovery: { service: string; message: string }[];
  /** SIGKILL, no chance to compact or flush anything: only what was already written survives. */
  kill9(): Promise<void>;
  /** SIGTERM: the emulator stops its services and writes its snapshots. */
  stop(): Promise<void>;
}

let bundlePromise: Promise<string> | undefined;

function bundle(): Promise<string> {
  bundlePromise ??= (async () => {
    mkdirSync(CACHE, { recursive: true });
    const outfile = join(CACHE, `emulator-child-${process.pid}.mjs`);
    await build({
      stdin: {
        contents: [
          `import { createEmulator } from ${JSON.stringify(join(ROOT, "src/runtime/emulator/index.ts"))};`,
          `const options = JSON.parse(process.env.EMULATOR_OPTIONS ?? "{}");`,
          `const emulator = await createEmulator(options);`,
          `process.stdout.write(JSON.stringify({ url: emulator.url, recovery: emulator.recovery() }) + "\\n");`,
          `process.on("SIGTERM", () => emulator.stop().then(() => process.exit(0)));`,
        ].join("\n"),
        resolveDir: ROOT,
        loader: "ts",
        sourcefile: "emulator-child.ts",
      },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      packages: "external",
      outfile,
      logLevel: "silent",
    });
    return outfile;
  })();
  return bundlePromise;
}

export interface EmulatorProcessOptions {
  persistDir: string;
  /** Port on 127.0.0.1; default a free one. A restart may ask for the port it had, so endpoints that
   * a deployment wrote into functions' environments stay right. */
  port?: number;
  services: string[];
  settings?: Record<string, unknown>;
  /** Variables added to the child's environment (e.g. an operator's AWS_* credentials). */
  env?: Record<string, string>;
}

export async function startEmulatorProcess(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
  const script = await bundle();
  const { env, ...emulatorOptions } = options;
  const child = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: { ...process.env, ...env, EMULATOR_OPTIONS: JSON.stringify(emulatorOptions) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const started = await new Promise<{ url: string; recovery: EmulatorProcess["recovery"] }>(
    (resolveStart, reject) => {
      let out = "";
      let err = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split("\n")[0];
        if (out.includes("\n") && line) resolveStart(JSON.parse(line) as { url: string; recovery: [] });
      });
      child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
      child.once("exit", (code) => reject(new Error(`emulator child exited with ${code}: ${err}`)));
    },
  );
  const exited = (signal: NodeJS.Signals) =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", () => done());
      child.kill(signal);
    });
  return {
    url: started.url,
    pid: child.pid as number,
    recovery: started.recovery,
    child,
    kill9: () => exited("SIGKILL"),
    stop: () => exited("SIGTERM"),
  };
}
