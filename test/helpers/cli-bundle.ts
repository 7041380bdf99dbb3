import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * The CLI (src/commands/main.ts) bundled with esbuild into one file, for end-to-end tests that run
 * it as a process and that need it fast (a second or two, where tsc takes half a minute). Packages
 * stay external and resolve from the repository's node_modules; package.json sits two levels above
 * the bundle, as it does above dist/commands/main.js, so --version reads it the same way.
 * Not for tests that run Lambda functions (the emulator finds its runtime files next to its source).
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export async function bundleCli(name: string): Promise<string> {
  const base = join(ROOT, "node_modules", ".cache", "pipeline-tests", `${name}-${process.pid}`);
  const outfile = join(base, "dist", "commands", "main.mjs");
  mkdirSync(dirname(outfile), { recursive: true });
  copyFileSync(join(ROOT, "package.json"), join(base, "package.json"));
  // --version reads the commit from the checkout's .git beside package.json: point at the repository's.
  const dotGit = join(ROOT, ".git");
  if (existsSync(dotGit)) {
    if (statSync(dotGit).isFile()) copyFileSync(dotGit, join(base, ".git"));
    else writeFileSync(join(base, ".git"), `gitdir: ${dotGit}\n`);
  }
  await build({
    entryPoints: [join(ROOT, "src/commands/main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    packages: "external",
    outfile,
    logLevel: "silent",
  });
  return outfile;
}

/** Removes a bundle made by bundleCli (call in afterAll: tests leave no folders behind). */
export function removeCliBundle(outfile: string | undefined): void {
  if (!outfile) return;
  // outfile is <base>/dist/commands/main.mjs
  rmSync(dirname(dirname(dirname(outfile))), { recursive: true, force: true });
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the bundled CLI as a process and collects its output. Not spawnSync: a detached child it
 * starts inherits no pipe, so the CLI's own exit is what ends the run.
 */
export function runCli(
  cli: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined>; input?: string },
): Promise<CliRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: options.cwd,
      env: options.env,
      // stdin is piped only when the test writes to it (a key read from a pipe), else /dev/null.
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolveRun({ code, stdout, stderr }));
  });
}
