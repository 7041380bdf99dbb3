// Cold start of `bin/pipeline --help` against a bare `node -e 0` on the same Node binary. The
// difference is what the CLI itself costs before it can answer (target: under 150 ms).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const name = "cli-cold-start";
export const description = "bin/pipeline --help vs node -e 0, median wall time";

const TARGET_EXTRA_MS = 150;

export async function run({ runs, root }) {
  const main = join(root, "dist", "commands", "main.js");
  if (!existsSync(main)) throw new Error("dist/commands/main.js is missing: run `npm run build` first");
  const launcher = join(root, "bin", "pipeline");
  const commands = {
    node: [process.execPath, ["-e", "0"]],
    main: [process.execPath, [main, "--help"]],
    launcher: [launcher, ["--help"]],
  };
  const samples = { node: [], main: [], launcher: [] };
  const once = ([file, argv]) => {
    const started = process.hrtime.bigint();
    const result = spawnSync(file, argv, { stdio: ["ignore", "ignore", "pipe"] });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0)
      throw new Error(`${file} ${argv.join(" ")} exited ${result.status}: ${result.stderr}`);
    return elapsed;
  };
  // Warm the file system cache once, then interleave so drift hits all three alike.
  for (const command of Object.values(commands)) once(command);
  for (let i = 0; i < runs; i += 1) {
    for (const [key, command] of Object.entries(commands)) samples[key].push(once(command));
  }
  const node = median(samples.node);
  const mainMs = median(samples.main);
  const launcherMs = median(samples.launcher);
  const extra = launcherMs - node;
  return {
    figures: [
      { label: "node -e 0", value: node, unit: "ms" },
      { label: "node dist/commands/main.js --help", value: mainMs, unit: "ms" },
      { label: "bin/pipeline --help", value: launcherMs, unit: "ms" },
      { label: "extra over node (launcher)", value: extra, unit: "ms" },
    ],
    ratios: [{ label: "bin/pipeline --help / node -e 0", value: launcherMs / node }],
    checks: [
      {
        label: `extra under ${TARGET_EXTRA_MS} ms`,
        pass: extra < TARGET_EXTRA_MS,
        detail: `${extra.toFixed(1)} ms`,
      },
    ],
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
