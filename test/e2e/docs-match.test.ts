/**
 * Issue 16 point 7, docs match what happens, with the CLI as a process: `--version` names the commit
 * and the Node version, `config validate --strict` exits as its help says, `completion bash|zsh|fish`
 * completes what --help lists, and the README names no file the repository does not have.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli, removeCliBundle, runCli } from "../helpers/cli-bundle.js";
import { PROJECT_ROOT } from "../helpers/deployed-stack.js";

let cli: string;
const work = mkdtempSync(join(tmpdir(), "pipeline-e2e-docs-"));
const env = { PATH: process.env["PATH"] ?? "", HOME: work };
const pipeline = (args: string[]) => runCli(cli, args, { cwd: work, env });

beforeAll(async () => {
  cli = await bundleCli("e2e-docs");
});
afterAll(() => {
  removeCliBundle(cli);
  rmSync(work, { recursive: true, force: true });
});

const has = (shell: string) => spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0;

/** The completions bash offers for a command line, through the script `completion bash` prints. */
function bashCompletions(script: string, line: string): string[] {
  const words = line.split(" ");
  const out = execFileSync(
    "bash",
    [
      "-c",
      `eval "$SCRIPT"; COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _pipeline_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { env: { ...env, SCRIPT: script }, encoding: "utf8" },
  );
  return out.split("\n").filter(Boolean);
}

describe("--version", () => {
  it("the version, the checkout's commit, the Node version and the platform", async () => {
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    const commit = execFileSync("git", ["rev-parse", "--short=7", "HEAD"], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
    }).trim();
    const result = await pipeline(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(
      `pipeline ${version} (commit ${commit}, Node ${process.version}, ${process.platform}-${process.arch})`,
    );
  });
});

describe("config validate --strict", () => {
  it("exits 2 on a warning, as its help says; without --strict the warnings leave it valid (0)", async () => {
    const help = await pipeline(["config", "validate", "--help"]);
    expect(help.stdout).toMatch(/exit 2 naming each bad key.*with --strict, each warning too/s);

    const lenient = await pipeline(["config", "validate", "--target", "aws"]);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.stderr).toMatch(/^warning: opensearch\.endpoint: /m);
    const strict = await pipeline(["config", "validate", "--target", "aws", "--strict"]);
    expect(strict.code).toBe(2);
    expect(strict.stderr.trim().split("\n").at(-1)).toMatch(
      /^pipeline: configuration has \d+ warnings? and --strict is set$/,
    );
  });
});

describe("completion", () => {
  it("bash: every command --help lists, subcommands, option values and argument choices", async () => {
    const result = await pipeline(["completion", "bash"]);
    expect(result.code, result.stderr).toBe(0);
    const script = result.stdout;

    const help = (await pipeline(["--help"])).stdout;
    const listed = [...help.split("Commands:")[1]!.matchAll(/^ {2}([a-z]+)/gm)]
      .map((m) => m[1]!)
      .filter((n) => n !== "help");
    expect(listed.length).toBeGreaterThan(10);
    expect(bashCompletions(script, "pipeline ").filter((word) => !word.startsWith("-"))).toEqual(listed);

    expect(bashCompletions(script, "pipeline lo")).toEqual(["localstack", "logs"]);
    expect(bashCompletions(script, "pipeline dlq ")).toEqual(
      expect.arrayContaining(["list", "peek", "replay"]),
    );
    expect(bashCompletions(script, "pipeline verify ")).toEqual(
      expect.arrayContaining(["phase-4a", "phase-4b", "phase-4c", "phase-4d", "all", "--keep"]),
    );
    expect(bashCompletions(script, "pipeline status --target ")).toEqual(["local", "localstack", "aws"]);
    // Option values per command: logs tail's --format is not roster export's.
    expect(bashCompletions(script, "pipeline logs tail --format ")).toEqual(["short", "raw"]);
    expect(bashCompletions(script, "pipeline --target aws dlq pe")).toEqual(["peek"]);
  });

  it("zsh and fish: scripts for their completion systems (checked by the shell when it is installed)", async () => {
    const zsh = await pipeline(["completion", "zsh"]);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout.split("\n")[0]).toBe("#compdef pipeline");
    expect(zsh.stdout).toContain("compdef _pipeline pipeline");
    const fish = await pipeline(["completion", "fish"]);
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain(
      "complete -c pipeline -n 'test (__pipeline_path) = \"logs tail\"' -l format -x -a 'short raw'",
    );
    if (has("zsh")) expect(spawnSync("zsh", ["-n"], { input: zsh.stdout }).status).toBe(0);
    if (has("fish")) expect(spawnSync("fish", ["-n"], { input: fish.stdout }).status).toBe(0);
  });

  it("an unknown shell is refused in one line naming the choices, exit 2", async () => {
    const result = await pipeline(["completion", "ksh"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      "pipeline: command-argument value 'ksh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish; see 'pipeline completion --help'",
    );
  });
});

describe("README", () => {
  it("names no file or folder the repository does not have", () => {
    const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !/^[a-z]+:/.test(target));
    // Backticked repository paths: a folder with a slash, or a file with an extension under one.
    const paths = [...readme.matchAll(/`((?:src|docs|scripts|test|localstack|bin)\/[A-Za-z0-9_./<>-]*)`/g)]
      .map((m) => m[1]!)
      .filter((path) => !path.includes("<"));
    const named = [...readme.matchAll(/`([A-Z][A-Za-z_-]*\.md)`/g)].map((m) => m[1]!);
    const missing = [...links, ...paths, ...named].filter((path) => !existsSync(join(PROJECT_ROOT, path)));
    expect(missing).toEqual([]);
    expect(links.length + paths.length).toBeGreaterThan(10);
  });
});
