import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { OperatorError } from "../config/errors.js";
import type { Env } from "../config/env.js";

/** What to run instead when LocalStack cannot: the embedded emulator needs no Docker. */
const ALTERNATIVE = "without Docker, use the embedded emulator: --target local (or: pipeline emulator start)";

/** Docker, its Compose plugin or its daemon is missing: said in one line, with the alternative. */
export class DockerUnavailableError extends OperatorError {
  override name = "DockerUnavailableError";
}

export class ComposeError extends OperatorError {
  override name = "ComposeError";
  override readonly exitCode = 1;
}

export const COMPOSE_FILE = join("localstack", "docker-compose.yml");

export interface ComposeOptions {
  cwd: string;
  /** The environment docker compose runs with (LOCALSTACK_AUTH_TOKEN, LOCALSTACK_PORT pass through). */
  env: Env;
  /** The compose file; default localstack/docker-compose.yml in cwd, else the one shipped with the CLI. */
  file?: string;
  signal?: AbortSignal;
}

/** How Compose is invoked here: the `docker compose` plugin, or the standalone `docker-compose`. */
interface ComposeCli {
  executable: string;
  prefix: string[];
}

export function findComposeFile(cwd: string, explicit?: string): string {
  if (explicit) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new OperatorError(`compose file ${file} does not exist; check --file`);
    return file;
  }
  const candidates = [join(cwd, COMPOSE_FILE)];
  // The copy shipped with the CLI: found by walking up from this module (src/, dist/ or a bundle).
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 8; level += 1) {
    candidates.push(join(folder, COMPOSE_FILE));
    folder = dirname(folder);
  }
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new OperatorError(`no ${COMPOSE_FILE} in ${cwd} or next to the CLI; pass one with --file`);
  }
  return found;
}

/** Fails in one line, naming the alternative, when Docker or its Compose plugin is missing. */
export async function checkCompose(options: ComposeOptions): Promise<void> {
  await findComposeCli(options);
  findComposeFile(options.cwd, options.file);
}

async function findComposeCli(options: ComposeOptions): Promise<ComposeCli> {
  const run = (executable: string, args: string[]) =>
    execa(executable, args, { env: { ...options.env }, extendEnv: false, reject: false, timeout: 15_000 });
  const plugin = await run("docker", ["compose", "version"]);
  if (!plugin.failed) return { executable: "docker", prefix: ["compose"] };
  const standalone = await run("docker-compose", ["version"]);
  if (!standalone.failed) return { executable: "docker-compose", prefix: [] };
  if (plugin.code === "ENOENT") {
    throw new DockerUnavailableError(`Docker is not installed (no docker on PATH); ${ALTERNATIVE}`);
  }
  throw new DockerUnavailableError(
    `Docker Compose is not installed (docker compose: ${firstLine(plugin.stderr) || "not available"}); ` +
      `install the Compose plugin, or ${ALTERNATIVE}`,
  );
}

export interface ComposeResult {
  file: string;
  /** The command line that ran, for the report. */
  command: string;
  output: string;
}

async function compose(args: string[], options: ComposeOptions): Promise<ComposeResult> {
  const cli = await findComposeCli(options);
  const file = findComposeFile(options.cwd, options.file);
  const fullArgs = [...cli.prefix, "-f", file, ...args];
  const result = await execa(cli.executable, fullArgs, {
    cwd: options.cwd,
    env: { ...options.env },
    extendEnv: false,
    reject: false,
    all: true,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  const command = [cli.executable, ...fullArgs].join(" ");
  const output = String(result.all ?? "");
  if (result.isCanceled) throw options.signal?.reason ?? new Error("interrupted");
  if (result.failed) {
    if (
      /Cannot connect to the Docker daemon|docker daemon is not running|error during connect/i.test(output)
    ) {
      throw new DockerUnavailableError(`the Docker daemon is not running (start Docker); ${ALTERNATIVE}`);
    }
    throw new ComposeError(`${command} failed (exit ${result.exitCode ?? "?"}): ${lastLines(output)}`);
  }
  return { file, command, output };
}

/** `docker compose -f localstack/docker-compose.yml up -d` */
export function composeUp(options: ComposeOptions): Promise<ComposeResult> {
  return compose(["up", "-d"], options);
}

/** `docker compose -f localstack/docker-compose.yml down` */
export function composeDown(options: ComposeOptions): Promise<ComposeResult> {
  return compose(["down"], options);
}

export interface ContainerState {
  name: string;
  /** running, exited, restarting, ... */
  state: string;
  /** healthy, unhealthy, starting, or "" without a health check. */
  health: string;
  status: string;
}

export type ContainersReport =
  { available: true; file: string; containers: ContainerState[] } | { available: false; detail: string };

/**
 * The compose project's containers (`docker compose ps`). LocalStack may also run without this
 * CLI's help (a CI service container), so a missing Docker is reported, not thrown.
 */
export async function composeContainers(options: ComposeOptions): Promise<ContainersReport> {
  let result: ComposeResult;
  try {
    result = await compose(["ps", "--all", "--format", "json"], options);
  } catch (error) {
    if (error instanceof OperatorError) return { available: false, detail: error.message };
    throw error;
  }
  return { available: true, file: result.file, containers: parsePs(result.output) };
}

/** Compose prints one JSON object per line (v2.21+) or one JSON array (older v2). */
export function parsePs(output: string): ContainerState[] {
  const rows: Record<string, unknown>[] = [];
  for (const line of output.split("\n").map((text) => text.trim())) {
    if (!line.startsWith("{") && !line.startsWith("[")) continue;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (Array.isArray(parsed)) rows.push(...(parsed as Record<string, unknown>[]));
      else rows.push(parsed as Record<string, unknown>);
    } catch {
      // a warning line that happens to start with a brace
    }
  }
  return rows.map((row) => ({
    name: String(row["Name"] ?? row["Service"] ?? ""),
    state: String(row["State"] ?? ""),
    health: String(row["Health"] ?? ""),
    status: String(row["Status"] ?? ""),
  }));
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0]?.trim() ?? "";
}

function lastLines(text: string, count = 3): string {
  const lines = text.trim().split("\n").filter(Boolean);
  return lines.slice(-count).join(" | ") || "(no output)";
}
