import { defineCommand, flag } from "../_kit/index.js";

/** `pipeline deploy`: plan the stack against the target, confirm on aws, apply. */
export default defineCommand({
  name: "deploy",
  summary: "Bundle the handlers, plan the stack against the target (create/update/no change), then apply",
  description:
    "Compares every resource of the stack declaration with what exists on the target and shows the plan " +
    "(per resource: create, update with the changed fields, or no change). On target aws it asks before " +
    "applying, naming the account and region. Applies in dependency order, waiting for functions to be " +
    "Active and mappings Enabled. A second deploy with nothing changed changes nothing; a failed deploy " +
    "keeps what it did, and the next deploy completes it. The weekly rule is created DISABLED and a " +
    "redeploy keeps whatever state it has (enable it with pipeline schedule enable).",
  options: {
    dryRun: flag("--dry-run", "show the plan only; change nothing"),
  },
  aws: true,
  json: true,
  yes: true,
  examples: [
    { command: "pipeline deploy", description: "deploy to the embedded emulator (target local)" },
    { command: "pipeline deploy --dry-run --json", description: "the plan as JSON, nothing changed" },
    { command: "pipeline deploy --target aws --yes", description: "deploy to AWS from CI, no question" },
  ],
  notes:
    "On target local with no emulator running, one is started for this command only (state persists to " +
    "emulator.persistDir, but the functions run only while an emulator runs): keep one with " +
    "'pipeline emulator start --detach'.",
  async run({ options }, ctx) {
    const { deploy } = await import("./deploy.js");
    await deploy(options, ctx);
  },
});
