import { describe, expect, it } from "vitest";
import {
  defineCommand,
  defineGroup,
  FatalError,
  flag,
  integerOption,
  option,
  UserError,
} from "../../../src/commands/_kit/index.js";
import { decideOutputMode } from "../../../src/commands/_kit/output.js";
import { ENTRIES } from "../../../src/commands/program.js";
import { runCliCaptured } from "./helpers/run-cli.js";

const seen: unknown[] = [];

/** A test group whose commands exercise the kit: errors, prompts, typed options. */
const probe = defineGroup({
  name: "probe",
  summary: "Kit test commands",
  commands: [
    defineCommand({
      name: "echo",
      summary: "Prints its typed input",
      args: { kind: { description: "what", required: true, choices: ["a", "b"] } },
      options: {
        count: integerOption("--count <n>", "how many", { min: 1, max: 10, default: 3 }),
        label: option("--label <text>", "a label"),
        dryRun: flag("--dry-run", "change nothing"),
      },
      json: true,
      examples: [{ command: "pipeline probe echo a --count 2", description: "echo" }],
      async run(input, ctx) {
        seen.push(input);
        ctx.output.result(input, () =>
          ctx.output.line(`kind=${input.args.kind} count=${input.options.count}`),
        );
      },
    }),
    defineCommand({
      name: "fail",
      summary: "Throws what it is told to",
      args: { what: { description: "user | fatal | bug | aws", required: true } },
      examples: [{ command: "pipeline probe fail user", description: "fail" }],
      async run({ args }) {
        if (args.what === "user") throw new UserError("--label must not be empty; pass --label NAME");
        if (args.what === "fatal") throw new FatalError("verify failed at phase 4B", 3);
        if (args.what === "aws") {
          throw Object.assign(new Error("User is not authorized to perform: sqs:ListQueues"), {
            name: "AccessDenied",
            $metadata: { httpStatusCode: 403 },
          });
        }
        throw new TypeError("Cannot read properties of undefined (reading 'x')\n    at somewhere");
      },
    }),
    defineCommand({
      name: "ask",
      summary: "Asks for confirmation",
      yes: true,
      examples: [{ command: "pipeline probe ask --yes", description: "confirm without asking" }],
      async run(_input, ctx) {
        const ok = await ctx.prompt.confirm({ message: "Purge the queue?" });
        ctx.output.line(ok ? "purged" : "kept");
      },
    }),
    defineCommand({
      name: "cleanup",
      summary: "Registers cleanup",
      examples: [{ command: "pipeline probe cleanup", description: "cleanup order" }],
      async run(_input, ctx) {
        ctx.onDispose(() => seen.push("first registered"));
        ctx.onDispose(() => seen.push("last registered"));
      },
    }),
  ],
});

describe("help and parsing", () => {
  it("--help lists the groups and exits 0", async () => {
    const run = await runCliCaptured("--help");

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: pipeline \[options\] \[command\]/);
    for (const entry of ENTRIES) expect(run.stdout).toContain(`${entry.name} `);
  });

  it("every declared command has at least one example, shown in its --help", async () => {
    for (const entry of ENTRIES) {
      const commands =
        entry.kind === "group" ? entry.commands.map((c) => `${entry.name} ${c.name}`) : [entry.name];
      for (const path of commands) {
        const run = await runCliCaptured(`${path} --help`);
        expect(run.code, path).toBe(0);
        expect(run.stdout, path).toMatch(/Examples:\n {2}\$ (eval "\$\()?pipeline /);
      }
    }
  });

  it("an unknown command: one line, exit 2, with a suggestion", async () => {
    const run = await runCliCaptured("confg show");

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "pipeline: unknown command 'confg' (did you mean config?); see 'pipeline --help'\n",
    );
  });

  it("an unknown option: one line naming the command, exit 2", async () => {
    const run = await runCliCaptured("config show --colour");

    expect(run.code).toBe(2);
    expect(run.stderr).toBe("pipeline: unknown option '--colour'; see 'pipeline config show --help'\n");
  });

  it("a group without a command prints its help and exits 2", async () => {
    const run = await runCliCaptured("config");

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Usage: pipeline config [options] [command]");
  });

  it("typed arguments and options reach the handler, defaults applied", async () => {
    seen.length = 0;

    const run = await runCliCaptured("probe echo b --label x --json", { entries: [probe] });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      args: { kind: "b" },
      options: { count: 3, label: "x", dryRun: false },
    });
  });

  it("bad option and argument values are usage errors naming what is allowed", async () => {
    const count = await runCliCaptured("probe echo a --count 11", { entries: [probe] });
    const kind = await runCliCaptured("probe echo c", { entries: [probe] });

    expect(count.code).toBe(2);
    expect(count.stderr).toBe(
      "pipeline: option '--count <n>' argument '11' is invalid. expected an integer from 1 to 10; " +
        "see 'pipeline probe echo --help'\n",
    );
    expect(kind.code).toBe(2);
    expect(kind.stderr).toBe(
      "pipeline: command-argument value 'c' is invalid for argument 'kind'. Allowed choices are a, b; " +
        "see 'pipeline probe echo --help'\n",
    );
  });

  it("a declaration whose option key does not match its flag is refused when the tree is built", async () => {
    const broken = defineCommand({
      name: "broken",
      summary: "wrong key",
      options: { dry: flag("--dry-run", "x") },
      examples: [{ command: "pipeline broken", description: "x" }],
      async run() {},
    });

    const run = await runCliCaptured("--help", { entries: [broken] });

    expect(run.code).toBe(70);
    expect(run.stderr).toContain('option --dry-run must be declared under key "dryRun"');
  });
});

describe("errors: one message, one exit code", () => {
  it("UserError: message, exit 2, no stack", async () => {
    const run = await runCliCaptured("probe fail user", { entries: [probe] });

    expect(run.code).toBe(2);
    expect(run.stderr).toBe("pipeline: --label must not be empty; pass --label NAME\n");
  });

  it("FatalError: message and its own exit code", async () => {
    const run = await runCliCaptured("probe fail fatal", { entries: [probe] });

    expect(run.code).toBe(3);
    expect(run.stderr).toBe("pipeline: verify failed at phase 4B\n");
  });

  it("unexpected errors: one line and a --debug hint; --debug prints the stack", async () => {
    const plain = await runCliCaptured("probe fail bug", { entries: [probe] });
    const debug = await runCliCaptured("probe fail bug --debug", { entries: [probe] });

    expect(plain.code).toBe(70);
    expect(plain.stderr).toBe(
      "pipeline: unexpected error: TypeError: Cannot read properties of undefined (reading 'x') " +
        "(rerun with --debug for the stack trace)\n",
    );
    expect(debug.stderr).toMatch(/^pipeline: unexpected error: TypeError: .*\nTypeError: Cannot read/);
    expect(debug.stderr).toContain("kit.test.ts");
  });

  it("AWS service errors show their AWS error code", async () => {
    const run = await runCliCaptured("probe fail aws", { entries: [probe] });

    expect(run.stderr).toMatch(/^pipeline: unexpected error: AWS AccessDenied: User is not authorized/);
  });
});

describe("prompts", () => {
  it("refuse when not interactive and name the flag", async () => {
    const run = await runCliCaptured("probe ask", { entries: [probe], isTTY: true, stdinIsTTY: false });

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'pipeline: cannot ask "Purge the queue?": stdin is not a terminal; pass --yes instead\n',
    );
  });

  it("refuse under CI even on a terminal", async () => {
    const run = await runCliCaptured("probe ask", {
      entries: [probe],
      isTTY: true,
      stdinIsTTY: true,
      env: { CI: "true" },
    });

    expect(run.stderr).toContain("CI is set; pass --yes instead");
  });

  it("--yes answers the confirmation", async () => {
    const run = await runCliCaptured("probe ask --yes", { entries: [probe] });

    expect(run.code).toBe(0);
    expect(run.stdout).toBe("purged\n");
  });
});

describe("context", () => {
  it("cleanup runs after the command, last registered first", async () => {
    seen.length = 0;

    await runCliCaptured("probe cleanup", { entries: [probe] });

    expect(seen).toEqual(["last registered", "first registered"]);
  });
});

describe("decideOutputMode", () => {
  it("json when asked, pretty on a terminal, plain off one or with NO_COLOR", () => {
    expect(decideOutputMode({ json: true, isTTY: true, noColor: false })).toBe("json");
    expect(decideOutputMode({ json: false, isTTY: true, noColor: false })).toBe("pretty");
    expect(decideOutputMode({ json: false, isTTY: false, noColor: false })).toBe("plain");
    expect(decideOutputMode({ json: false, isTTY: true, noColor: true })).toBe("plain");
  });
});
