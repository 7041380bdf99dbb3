/**
 * The built CLI as a process: bin/pipeline → dist/commands/main.js. beforeAll compiles src/ to dist/
 * with `tsc -p tsconfig.build.json` (what `npm run build` does), so the test always runs the current
 * sources through the real launcher. Type errors are the typecheck step's business: tsc still emits,
 * and the test fails only if the entry point was not produced.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "bin", "pipeline");
const work = mkdtempSync(join(tmpdir(), "pipeline-e2e-"));

/** Records every module Node loads (ESM and CommonJS) into the file named by MODULE_LOG. */
const HOOK = `
import { registerHooks } from "node:module";
import { appendFileSync } from "node:fs";
const log = process.env.MODULE_LOG;
registerHooks({
  load(url, context, nextLoad) {
    if (log) appendFileSync(log, url + "\\n");
    return nextLoad(url, context);
  },
});
`;
const hookFile = join(work, "module-log-hook.mjs");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  modules: string[];
}

let logCount = 0;

function pipeline(args: string[], env: Record<string, string> = {}): Run {
  const log = join(work, `modules-${(logCount += 1)}.log`);
  const result = spawnSync(bin, args, {
    cwd: work,
    encoding: "utf8",
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: work,
      NODE_OPTIONS: `--import=${pathToFileURL(hookFile).href}`,
      MODULE_LOG: log,
      ...env,
    },
    timeout: 30_000,
  });
  const modules = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, modules };
}

/** Heavy modules that help and parsing must never load. */
const HEAVY = [
  /\/node_modules\/@aws-sdk\/client-/,
  /\/node_modules\/ink\//,
  /\/node_modules\/listr2\//,
  /\/node_modules\/zod\//,
  /\/node_modules\/@inquirer\//,
  /\/dist\/runtime\/emulator\//,
];

function heavyModules(run: Run): string[] {
  return run.modules.filter((url) => HEAVY.some((pattern) => pattern.test(url)));
}

beforeAll(() => {
  writeFileSync(hookFile, HOOK);
  const build = spawnSync(
    process.execPath,
    [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  if (!existsSync(join(root, "dist/commands/main.js"))) {
    throw new Error(`build did not produce dist/commands/main.js:\n${build.stdout}${build.stderr}`);
  }
}, 240_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("pipeline (the built CLI)", () => {
  it("--help lists the command groups and exits 0", () => {
    const run = pipeline(["--help"]);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: pipeline \[options\] \[command\]/);
    expect(run.stdout).toMatch(/^ {2}config +Show and validate/m);
  });

  it("an unknown command fails with one line and exit 2", () => {
    const run = pipeline(["deploi"]);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "pipeline: unknown command 'deploi' (did you mean deploy?); see 'pipeline --help'\n",
    );
  });

  it("an unknown option fails with one line and exit 2", () => {
    const run = pipeline(["config", "show", "--verbose"]);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe("pipeline: unknown option '--verbose'; see 'pipeline config show --help'\n");
  });

  it("a bad config value names the key, the value, its source and what is allowed", () => {
    const run = pipeline(["config", "validate"], { PIPELINE_EMULATOR_PORT: "45990" + "0" });

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "pipeline: invalid configuration for target local: emulator.port = 459900 (from env PIPELINE_EMULATOR_PORT): " +
        "expected the emulator port, an integer from 1 to 65535\n",
    );
  });

  it("a command's --help shows an example", () => {
    const run = pipeline(["config", "show", "--help"]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Examples:\n  $ pipeline config show\n");
    expect(run.stdout).toContain("--target <target>");
  });

  it("--help of the program and of every group loads no AWS SDK client, ink, listr2, zod, prompts or emulator", () => {
    const groups = [...pipeline(["--help"]).stdout.matchAll(/^ {2}([a-z][a-z-]*) /gm)]
      .map((match) => match[1]!)
      .filter((name) => name !== "help");

    expect(groups.length).toBeGreaterThan(0);
    for (const args of [["--help"], ...groups.map((group) => [group, "--help"])]) {
      const run = pipeline(args);
      expect(run.code, args.join(" ")).toBe(0);
      expect(run.modules.length, "the module log hook recorded nothing").toBeGreaterThan(0);
      expect(heavyModules(run), args.join(" ")).toEqual([]);
    }
  });

  it("the module check can fail: running a command does load what --help must not", () => {
    const run = pipeline(["config", "show", "--json"]);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).target).toBe("local");
    expect(heavyModules(run).some((url) => url.includes("/node_modules/zod/"))).toBe(true);
  });
});
