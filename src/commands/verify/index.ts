import { arg, defineCommand, flag, option } from "../_kit/index.js";

/** Kept in step with the verify engine's phases (runtime/verify PHASE_NAMES plus "all"). */
export const VERIFY_CHOICES = ["phase-4a", "phase-4b", "phase-4c", "phase-4d", "all"] as const;

/** `pipeline verify`: the phased verification protocol (DESIGN.md section 4) as one command. */
export default defineCommand({
  name: "verify",
  summary: "Prove the pipeline works: phases 4A-4D as a live task tree, with diagnosis on failure",
  description:
    "Run the verification protocol: 4A EventBridge (rules, targets, permissions, a manual trigger reaching all " +
    "four scrapers), 4B Streams (mappings, an asynchronous scrape flowing through the post-processor and " +
    "index-sync), 4C End to end (a fresh -test copy of the stack, one full cycle through EventBridge, data " +
    "quality) and 4D Enablement (enable the weekly schedule once 4A-4C passed). A phase stops at its first " +
    "failed check and tests the likely causes itself. On the local target with nothing listening, the emulator " +
    "is started in this process and the stack deployed first. Exit code 0 only when every phase passed.",
  args: { phase: arg("phase-4a | phase-4b | phase-4c | phase-4d | all", { choices: VERIFY_CHOICES }) },
  options: {
    junit: option("--junit <file>", "also write the results as JUnit XML to this file (for CI)"),
    keep: flag("--keep", "4C: keep the -test copy of the stack instead of tearing it down"),
    force: flag("--force", "4D: enable the schedule even without recent passes of 4A-4C"),
  },
  aws: true,
  json: true,
  yes: true,
  examples: [
    {
      command: "pipeline verify all",
      description: "the whole protocol on the embedded emulator (one command)",
    },
    {
      command: "pipeline verify all --json --junit verify.xml",
      description: "for CI: the report as JSON on stdout and JUnit XML in a file",
    },
    {
      command: "pipeline verify phase-4b --target localstack",
      description: "only the streams phase, on LocalStack",
    },
    {
      command: "pipeline verify phase-4d --target aws --yes",
      description: "enable the weekly schedule on AWS after 4A-4C passed (--yes answers the confirmation)",
    },
  ],
  notes:
    "Passed phases are recorded per target and account in .pipeline/verifications.json; 4D (and schedule enable) " +
    "refuse without recent passes of 4A-4C unless --force.",
  async run(input, ctx) {
    const { verifyCommand } = await import("./verify.js");
    await verifyCommand(input, ctx);
  },
});
