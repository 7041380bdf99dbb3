#!/usr/bin/env node
// Benchmark harness: runs the registered suites (scripts/bench/*.mjs) and prints the figures and
// ratios each measured in this one run, so comparisons never mix machines or moments.
//
// A suite is a module exporting:
//   name         short id, used to select it: `npm run bench -- cli-cold-start`
//   description  one line
//   run({ runs, root }) → { figures: [{ label, value, unit }],
//                           ratios?: [{ label, value }],
//                           checks?: [{ label, pass, detail }] }
// Options: --runs N (samples per measurement), --json (machine-readable), --strict (exit 1 when a
// check fails; off by default because shared machines are noisy).
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const suitesDir = join(root, "scripts", "bench");

const args = process.argv.slice(2);
const option = (name) => {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args.splice(index, 2)[1];
};
const runsText = option("--runs");
const json = args.includes("--json");
const strict = args.includes("--strict");
const selected = args.filter((arg) => !arg.startsWith("--"));
const runs = runsText === undefined ? 15 : Number(runsText);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`bench: --runs must be a positive integer, got ${JSON.stringify(runsText)}`);
  process.exit(2);
}

const files = readdirSync(suitesDir)
  .filter((file) => file.endsWith(".mjs"))
  .sort();
const suites = [];
for (const file of files) {
  const suite = await import(pathToFileURL(join(suitesDir, file)).href);
  if (typeof suite.name !== "string" || typeof suite.run !== "function") {
    console.error(`bench: ${file} must export name and run()`);
    process.exit(2);
  }
  if (selected.length === 0 || selected.includes(suite.name)) suites.push(suite);
}
const unknown = selected.filter((name) => !suites.some((suite) => suite.name === name));
if (unknown.length) {
  console.error(
    `bench: unknown suite ${unknown.join(", ")}; known: ${files.map((f) => f.replace(/\.mjs$/, "")).join(", ")}`,
  );
  process.exit(2);
}

const results = [];
for (const suite of suites) {
  if (!json) console.log(`\n${suite.name}: ${suite.description ?? ""} (${runs} runs)`);
  const result = await suite.run({ runs, root });
  results.push({ name: suite.name, ...result });
  if (json) continue;
  const width = Math.max(...[...result.figures, ...(result.ratios ?? [])].map((f) => f.label.length));
  for (const figure of result.figures) {
    console.log(`  ${figure.label.padEnd(width)}  ${format(figure.value)} ${figure.unit}`);
  }
  for (const ratio of result.ratios ?? [])
    console.log(`  ${ratio.label.padEnd(width)}  ${format(ratio.value)}x`);
  for (const check of result.checks ?? []) {
    console.log(`  ${check.pass ? "ok  " : "FAIL"} ${check.label}${check.detail ? `: ${check.detail}` : ""}`);
  }
}
if (json) console.log(JSON.stringify({ runs, suites: results }, null, 2));
const failed = results.flatMap((result) => (result.checks ?? []).filter((check) => !check.pass));
if (strict && failed.length) process.exit(1);

function format(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
}
