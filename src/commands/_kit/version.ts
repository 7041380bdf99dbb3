import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * What `pipeline --version` prints: the package version, the commit the checkout is at (read from
 * its .git, without running git: --version must stay instant and work without git installed), the
 * Node version and the platform. "commit unknown" outside a git checkout (an installed package).
 */
export function versionLine(): string {
  const root = packageRoot(dirname(fileURLToPath(import.meta.url)));
  const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string })
    .version;
  const commit = checkoutCommit(root);
  return `pipeline ${version} (commit ${commit ?? "unknown"}, Node ${process.version}, ${process.platform}-${process.arch})`;
}

/**
 * The folder of the package.json above this module: src/commands/_kit and dist/commands/_kit sit
 * three levels below it, a bundled CLI (dist/commands/main.mjs) two.
 */
function packageRoot(from: string): string {
  let folder = from;
  for (let up = 0; up < 4; up += 1) {
    if (existsSync(join(folder, "package.json"))) return folder;
    folder = dirname(folder);
  }
  throw new Error(`no package.json above ${from}`);
}

/**
 * The abbreviated commit of the checkout whose top folder is `root`: its own .git only, never a
 * parent's (an installed package inside someone's repository must not report their commit).
 */
export function checkoutCommit(root: string): string | undefined {
  try {
    const dotGit = join(root, ".git");
    if (!existsSync(dotGit)) return undefined;
    // A worktree's (or submodule's) .git is a file naming its git folder.
    let gitDir = dotGit;
    if (statSync(dotGit).isFile()) {
      const named = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, "utf8"))?.[1]?.trim();
      if (!named) return undefined;
      gitDir = isAbsolute(named) ? named : resolve(root, named);
    }
    const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
    const ref = /^ref:\s*(.+)$/.exec(head)?.[1];
    if (!ref) return abbreviate(head);
    // Refs live in the common folder for a worktree; loose first, then packed.
    const commonFile = join(gitDir, "commondir");
    const common = existsSync(commonFile) ? resolve(gitDir, readFileSync(commonFile, "utf8").trim()) : gitDir;
    for (const folder of [gitDir, common]) {
      const loose = join(folder, ref);
      if (existsSync(loose)) return abbreviate(readFileSync(loose, "utf8").trim());
    }
    const packed = join(common, "packed-refs");
    if (existsSync(packed)) {
      const line = readFileSync(packed, "utf8")
        .split("\n")
        .find((entry) => entry.endsWith(` ${ref}`));
      if (line) return abbreviate(line.split(" ")[0]!);
    }
    return undefined;
  } catch {
    return undefined;
  }
}

function abbreviate(sha: string): string | undefined {
  return /^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 7) : undefined;
}
