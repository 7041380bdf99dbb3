// Fails the install when a native dependency did not load. npm 11 skips install scripts that are
// not approved in package.json "allowScripts"; this check makes such a gap visible at setup time
// instead of as a confusing error in the middle of a test.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const checks = [
  ["classic-level (dynalite storage)", () => require("classic-level")],
  [
    "esbuild (Lambda bundling)",
    () => require("esbuild").transformSync("let a: number = 1", { loader: "ts" }),
  ],
];
let failed = false;
for (const [name, load] of checks) {
  try {
    load();
  } catch (error) {
    failed = true;
    console.error(`native dependency ${name} does not load: ${error.message}`);
    console.error("fix: npm install-scripts approve <package> && npm rebuild <package>");
  }
}
process.exit(failed ? 1 : 0);
