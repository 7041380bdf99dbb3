import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { isBuiltin } from "node:module";
import { resolve } from "node:path";
import AdmZip from "adm-zip";
import type { Plugin } from "esbuild";

/** One Lambda entry point: a source module of the project and the export Lambda calls. */
export interface HandlerEntry {
  /** Path of the TypeScript module, relative to the project root (e.g. src/pipeline/handlers/scrape.ts). */
  module: string;
  /** Exported function name (e.g. "handler"). */
  exportName: string;
}

export interface LambdaBundle {
  zip: Buffer;
  /** base64 SHA-256 of the zip, the way Lambda reports CodeSha256. */
  codeSha256: string;
  /** Lambda Handler setting for this bundle, e.g. "index.handler". */
  handler: string;
  sizeBytes: number;
}

/** The file name inside the zip; .mjs so the Node runtime loads it as an ES module. */
const BUNDLE_FILE = "index.mjs";
/**
 * Zip entries get a fixed timestamp, so the same code always produces the same zip and CodeSha256:
 * that is what lets a second deploy see "no change".
 */
const FIXED_ZIP_TIME = new Date("2020-01-01T00:00:00Z");

/**
 * Bundles a handler module and its dependencies into one ES module with esbuild (tree-shaken and
 * minified, AWS SDK included so the deployed code runs the versions we tested), then zips it.
 */
export async function bundleHandler(entry: HandlerEntry, projectRoot: string): Promise<LambdaBundle> {
  const entryPath = resolve(projectRoot, entry.module);
  if (!existsSync(entryPath)) {
    throw new Error(
      `Handler module ${entry.module} not found under ${projectRoot}; is this the project folder?`,
    );
  }
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [entryPath],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "esm",
    minify: true,
    sourcemap: false,
    write: false,
    legalComments: "none",
    logLevel: "silent",
    // The ES module builds of packages that ship both (the AWS SDK's dist-es): esbuild can drop
    // what the handler never imports (commands, schemas, the browser user-agent parser), where a
    // CommonJS index file is kept and run whole. A cold start then loads and runs about a third
    // less code; the code that does run is the same.
    mainFields: ["module", "main"],
    // Some dependencies are CommonJS and call require() for Node built-ins; give the ESM bundle one.
    banner: {
      js: "import { createRequire as __pipelineCreateRequire } from 'node:module'; const require = __pipelineCreateRequire(import.meta.url);",
    },
    plugins: [builtinsByRequire],
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no output for ${entry.module}`);
  const zip = new AdmZip();
  zip.addFile(BUNDLE_FILE, Buffer.from(output.contents));
  for (const zipEntry of zip.getEntries()) zipEntry.header.time = FIXED_ZIP_TIME;
  const buffer = zip.toBuffer();
  return {
    zip: buffer,
    codeSha256: createHash("sha256").update(buffer).digest("base64"),
    handler: `index.${entry.exportName}`,
    sizeBytes: buffer.length,
  };
}

const BUILTIN_NAMESPACE = "node-builtin";

/**
 * Node built-ins imported by ES module code (the SDK's dist-es, our own) are loaded with require()
 * instead of an import statement. Importing a built-in as an ES module makes Node build its
 * module facade, which reads every export, so the lazy ones load whatever they stand for:
 * `import ... from "node:http"` alone loads Node's whole fetch implementation (undici, about
 * 30 ms of CPU on each cold start of a function that never calls fetch) and "node:fs" its
 * streams. Through require() the exports stay lazy. The objects are the same built-ins.
 */
const builtinsByRequire: Plugin = {
  name: "builtins-by-require",
  setup(build) {
    build.onResolve({ filter: /^[a-z:_/]+$/ }, (args) =>
      args.kind === "import-statement" && isBuiltin(args.path)
        ? { path: args.path.replace(/^node:/, ""), namespace: BUILTIN_NAMESPACE }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: BUILTIN_NAMESPACE }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
      loader: "js",
    }));
  },
};

/** Bundles several entries, building each distinct module once (the four scrapers share one), in parallel. */
export async function bundleHandlers(
  entries: HandlerEntry[],
  projectRoot: string,
): Promise<Map<string, LambdaBundle>> {
  const distinct = new Map(entries.map((entry) => [bundleKey(entry), entry]));
  const built = await Promise.all(
    [...distinct].map(async ([key, entry]) => [key, await bundleHandler(entry, projectRoot)] as const),
  );
  return new Map(built);
}

export function bundleKey(entry: HandlerEntry): string {
  return `${entry.module}#${entry.exportName}`;
}
