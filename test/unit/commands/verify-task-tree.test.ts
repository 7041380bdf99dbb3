import { describe, expect, it } from "vitest";
import { Output } from "../../../src/commands/_kit/output.js";
import { runTaskTree, type TaskTreeSink } from "../../../src/commands/verify/task-tree.js";
import type { CheckResult, PhaseResult, VerifyReport } from "../../../src/runtime/verify/index.js";
import type { VerifyPhase } from "../../../src/runtime/records/index.js";

/**
 * The verify task tree in plain mode (a pipe, CI): the lines a log reader sees. A phase that failed,
 * was interrupted or never ran must never carry the success mark; its checks keep their own marks.
 */

const PHASES = [
  {
    phase: "phase-4a" as VerifyPhase,
    title: "4A EventBridge",
    checks: [
      { id: "rule", title: "Weekly rule" },
      { id: "trigger", title: "Manual trigger" },
    ],
  },
  {
    phase: "phase-4c" as VerifyPhase,
    title: "4C End to end (test copy)",
    checks: [
      { id: "deploy-test", title: "Deploy a fresh test copy" },
      { id: "cycle", title: "A full cycle" },
      { id: "teardown", title: "Tear down the test copy" },
    ],
  },
  { phase: "phase-4d" as VerifyPhase, title: "4D Enablement", checks: [{ id: "enable", title: "Enable" }] },
];

function check(id: string, title: string, status: CheckResult["status"], measured: string): CheckResult {
  return { id, title, rule: "r", status, measured, durationMs: 1, diagnosis: [], reason: `${id} ${status}` };
}

function phaseResult(
  index: number,
  status: PhaseResult["status"],
  checks: CheckResult[],
  notRun: string[] = [],
): PhaseResult {
  const phase = PHASES[index]!;
  return {
    phase: phase.phase,
    title: phase.title,
    status,
    checks,
    notRun: phase.checks.filter((c) => notRun.includes(c.id)),
    startedAt: "2026-12-07T00:00:00.000Z",
    durationMs: 5,
  };
}

/** Drives the tree with the engine's events for the given phase results, in order. */
async function render(results: PhaseResult[], interrupted?: VerifyReport["interrupted"]): Promise<string> {
  let out = "";
  const output = new Output("plain", { write: (chunk: string) => (out += chunk) }, { write: () => {} });
  await runTaskTree(
    { mode: "plain", output, setupTitle: "Prepare", phases: PHASES },
    async (sink: TaskTreeSink) => {
      sink.setupDone("local target ready");
      for (const result of results) {
        const definition = PHASES.find((p) => p.phase === result.phase)!;
        sink.event({ type: "phase-start", phase: result.phase, title: result.title, checks: [] });
        for (const c of result.checks) {
          sink.event({ type: "check-start", phase: result.phase, check: c.id });
          sink.event({ type: "check-end", phase: result.phase, result: c });
        }
        expect(definition).toBeDefined();
        sink.event({ type: "phase-end", result });
        await new Promise((resolve) => setImmediate(resolve));
      }
      return {
        target: "local",
        account: "000000000000",
        region: "us-east-1",
        ok: results.every((r) => r.status === "passed") && !interrupted,
        ...(interrupted ? { interrupted } : {}),
        phases: results,
        startedAt: "2026-12-07T00:00:00.000Z",
        durationMs: 10,
      };
    },
  );
  return out;
}

describe("verify task tree, plain output", () => {
  it("a passed phase has the success mark; a failed one and the phase after it do not", async () => {
    const out = await render([
      phaseResult(0, "passed", [
        check("rule", "Weekly rule", "passed", "ok"),
        check("trigger", "Manual trigger", "passed", "4/4"),
      ]),
      phaseResult(
        1,
        "failed",
        [
          check("deploy-test", "Deploy a fresh test copy", "failed", "error"),
          check("teardown", "Tear down the test copy", "passed", "3 deleted"),
        ],
        ["cycle"],
      ),
    ]);
    const lines = out.split("\n");
    expect(lines).toContain("✔ 4A EventBridge");
    expect(out).not.toContain("✔ 4C End to end (test copy)");
    expect(out).not.toContain("✔ 4D Enablement");
    expect(out).toMatch(/✖ 4C End to end \(test copy\) \[FAILED: failed at "Deploy a fresh test copy"\]/);
    expect(out).toMatch(/✖ Deploy a fresh test copy: error/);
    expect(out).toContain("✔ Tear down the test copy: 3 deleted");
    expect(out).toContain("↓ A full cycle [SKIPPED: not run: an earlier check of the phase failed]");
    // The phase after the failed one is one skipped line; its checks are not listed one by one.
    expect(out).toContain("↓ 4D Enablement [SKIPPED: not run: an earlier phase failed]");
    expect(out).not.toContain("Enable [SKIPPED");
  });

  it("an interrupted phase is marked as interrupted, the rest as not run because of Ctrl-C", async () => {
    const out = await render(
      [
        phaseResult(0, "passed", [
          check("rule", "Weekly rule", "passed", "ok"),
          check("trigger", "Manual trigger", "passed", "4/4"),
        ]),
        phaseResult(
          1,
          "interrupted",
          [
            {
              ...check("deploy-test", "Deploy a fresh test copy", "skipped", "interrupted"),
              reason: "interrupted (Ctrl-C)",
            },
            check("teardown", "Tear down the test copy", "passed", "8 deleted"),
          ],
          ["cycle"],
        ),
      ],
      { phase: "phase-4c", check: "deploy-test", left: [] },
    );
    expect(out).not.toContain("✔ 4C End to end (test copy)");
    expect(out).toContain("✖ 4C End to end (test copy) [FAILED: interrupted (Ctrl-C)]");
    expect(out).toContain("↓ Deploy a fresh test copy [SKIPPED: interrupted (Ctrl-C)]");
    expect(out).toContain("↓ A full cycle [SKIPPED: not run: interrupted (Ctrl-C)]");
    expect(out).toContain("↓ 4D Enablement [SKIPPED: not run: interrupted (Ctrl-C)]");
  });
});
