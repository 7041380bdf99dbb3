/**
 * The localstack compose project runs the fixture source server as its `fixtures` service, on a
 * named network that LocalStack's Lambda containers join (LAMBDA_DOCKER_NETWORK), and target
 * localstack's config points the sources at it by that service name. Docker is not needed: the
 * file is read with the small reader below (block mappings, `- item` lists, one-line or
 * multi-line flow lists of quoted strings: what this file uses).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENTRIES } from "../../../../src/commands/program.js";
import { resolveConfig } from "../../../../src/runtime/config/index.js";
import { DEFAULT_FIXTURES_PORT } from "../../../../src/runtime/config/targets.js";

type Yaml = string | Yaml[] | { [key: string]: Yaml };

function scalar(text: string): string {
  const value = text.trim();
  if (/^".*"$/.test(value)) return JSON.parse(value) as string;
  if (/^'.*'$/.test(value)) return value.slice(1, -1).replace(/''/g, "'");
  return value;
}

/** Reads the block-style YAML subset the compose file is written in. */
function readYaml(text: string): Yaml {
  const lines = text
    .split("\n")
    .filter((line) => !/^\s*(#.*)?$/.test(line))
    .map((line) => ({ indent: line.length - line.trimStart().length, text: line.trim() }));
  let at = 0;
  // A flow list may span lines: gather them until the brackets close, then read it as JSON.
  const flow = (first: string): Yaml => {
    let gathered = first;
    while ((gathered.match(/\[/g) ?? []).length > (gathered.match(/]/g) ?? []).length) {
      gathered += ` ${lines[at]!.text}`;
      at += 1;
    }
    return JSON.parse(gathered.replace(/,\s*]/g, "]")) as Yaml;
  };
  const value = (rest: string, indent: number): Yaml => {
    if (rest === "" && lines[at]?.text.startsWith("[")) {
      at += 1;
      return flow(lines[at - 1]!.text);
    }
    if (rest === "") return block(lines[at]?.indent ?? indent + 1);
    if (rest.startsWith("[")) return flow(rest);
    return scalar(rest);
  };
  const block = (indent: number): Yaml => {
    if (lines[at]?.text.startsWith("- ")) {
      const list: Yaml[] = [];
      while (at < lines.length && lines[at]!.indent === indent && lines[at]!.text.startsWith("- ")) {
        const item = lines[at]!.text.slice(2);
        at += 1;
        list.push(value(item, indent));
      }
      return list;
    }
    const map: Record<string, Yaml> = {};
    while (at < lines.length && lines[at]!.indent === indent) {
      const m = /^([^:]+):(?:\s+(.*))?$/.exec(lines[at]!.text);
      if (m === null) throw new Error(`cannot read line: ${lines[at]!.text}`);
      at += 1;
      map[scalar(m[1]!)] = value((m[2] ?? "").trim(), indent);
    }
    return map;
  };
  return block(0);
}

const get = (node: Yaml | undefined, ...path: string[]): Yaml | undefined =>
  path.reduce<Yaml | undefined>(
    (current, key) =>
      current !== undefined && typeof current === "object" && !Array.isArray(current)
        ? current[key]
        : undefined,
    node,
  );

const compose = readYaml(readFileSync(join(process.cwd(), "localstack", "docker-compose.yml"), "utf8"));

describe("localstack/docker-compose.yml: the fixtures service", () => {
  const fixtures = get(compose, "services", "fixtures");

  it("runs the built CLI's `fixtures serve` on every address of its container, on the default port", () => {
    expect(get(fixtures, "image")).toBe("node:22-slim");
    expect(get(fixtures, "volumes")).toContain("..:/app:ro");
    expect(get(fixtures, "command")).toEqual([
      "node",
      "/app/dist/commands/main.js",
      "fixtures",
      "serve",
      "--host",
      "0.0.0.0",
      "--port",
      String(DEFAULT_FIXTURES_PORT),
    ]);
    // The bin launcher runs the same file: the path is the build's entry point.
    expect(readFileSync(join(process.cwd(), "bin", "pipeline"), "utf8")).toContain(
      '"$root/dist/commands/main.js"',
    );
    // Published on the host's loopback only (servers started here bind 127.0.0.1).
    expect(get(fixtures, "ports")).toEqual([`127.0.0.1:${DEFAULT_FIXTURES_PORT}:${DEFAULT_FIXTURES_PORT}`]);
    const probe = get(fixtures, "healthcheck", "test");
    expect(Array.isArray(probe) && probe.join(" ")).toContain(
      `http://127.0.0.1:${DEFAULT_FIXTURES_PORT}/health`,
    );
  });

  it("the CLI has that command, with those options", () => {
    const group = ENTRIES.find((entry) => entry.name === "fixtures");
    expect(group?.kind).toBe("group");
    const serve =
      group?.kind === "group" ? group.commands.find((command) => command.name === "serve") : undefined;
    const flags = Object.values(serve?.options ?? {}).map((spec) => (spec as { flags: string }).flags);
    expect(flags).toEqual(expect.arrayContaining(["--host <host>", "--port <port>", "--not-found <name>"]));
  });

  it("shares a named network with LocalStack, the one LAMBDA_DOCKER_NETWORK names", () => {
    const networks = get(fixtures, "networks");
    expect(Array.isArray(networks)).toBe(true);
    const key = (networks as string[])[0]!;
    const name = get(compose, "networks", key, "name");
    expect(typeof name).toBe("string");
    expect(get(compose, "services", "localstack", "networks")).toContain(key);
    expect(get(compose, "services", "localstack", "environment", "LAMBDA_DOCKER_NETWORK")).toBe(name);
  });
});

describe("target localstack's config reaches the sources through that service", () => {
  const { config } = resolveConfig({
    cwd: "/nonexistent",
    env: { PIPELINE_TARGET: "localstack" },
    readText: () => undefined,
  });

  it("fixtures.host is the compose service's name and every source resolves to it", () => {
    expect(get(compose, "services", config.fixtures.host)).toBeDefined();
    expect(config.fixtures.host).toBe("fixtures");
    expect(config.fixtures.port).toBe(DEFAULT_FIXTURES_PORT);
    for (const source of ["tmdb", "wikipedia", "news", "social"] as const)
      expect(config.sources[source].baseUrl).toBe(`http://fixtures:4598/${source}`);
    expect(config.sources.wikipedia.auxBaseUrl).toBe("http://fixtures:4598/wikipedia/aux");
  });
});
