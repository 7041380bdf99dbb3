import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HANDLER_MODULES } from "../../pipeline/stack/index.js";
import { OperatorError } from "../config/errors.js";

/** src/runtime/deploy and dist/runtime/deploy are both three levels below the package root. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

function holdsHandlers(folder: string): boolean {
  return Object.values(HANDLER_MODULES).every((module) => existsSync(join(folder, module)));
}

/**
 * A CLI bundled into one file (tests run it from a cache folder inside the checkout) is not three
 * levels below the package root: the checkout is then a folder above it.
 */
function foldersAbove(folder: string): string[] {
  const above: string[] = [];
  for (let at = dirname(folder); at !== dirname(at); at = dirname(at)) above.push(at);
  return above;
}

/**
 * The folder the handler sources (stack functions' entry.module) are relative to: this package's
 * root, or else the working folder (a bundled CLI run from a checkout). Deploy bundles the Lambda
 * code from there.
 */
export function locateProjectRoot(cwd: string): string {
  for (const candidate of [PACKAGE_ROOT, ...foldersAbove(PACKAGE_ROOT), resolve(cwd)])
    if (holdsHandlers(candidate)) return candidate;
  throw new OperatorError(
    `the handler sources (${Object.values(HANDLER_MODULES).join(", ")}) are not under ${PACKAGE_ROOT} ` +
      `or ${resolve(cwd)}; run deploy from the pipeline project folder`,
  );
}
