import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import type { EntrySpec } from "../../../../src/commands/_kit/define.js";
import { runCli } from "../../../../src/commands/cli.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** stdout is a terminal (pretty output) */
  isTTY?: boolean;
  stdinIsTTY?: boolean;
  entries?: readonly EntrySpec[];
}

const createdDirs: string[] = [];
// Registered on the importing test file (vitest loads this module once per file), so a run leaves
// no folders behind in the temp directory.
afterAll(() => {
  for (const dir of createdDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder with no pipeline.config.json, so tests see defaults unless they write one. */
export function emptyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "pipeline-cli-"));
  createdDirs.push(dir);
  return dir;
}

/** Runs the real CLI in-process (`runCli("config show --json")`) and captures its output. */
export async function runCliCaptured(argv: string | string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(
    typeof argv === "string" ? argv.split(/\s+/).filter(Boolean) : argv,
    {
      stdout: { write: (chunk: string) => (stdout += chunk), isTTY: options.isTTY ?? false },
      stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false },
      stdinIsTTY: options.stdinIsTTY ?? false,
      env: options.env ?? {},
      cwd: options.cwd ?? emptyDir(),
      signal: new AbortController().signal,
    },
    options.entries,
  );
  return { code, stdout, stderr };
}
