import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { readEnv, type Env } from "./env.js";

/**
 * The region a profile names in the shared AWS config file, so `--target aws --profile prod`
 * lands where the AWS CLI would. Only `region` is read; credentials stay with the SDK.
 */
export function profileRegion(
  profile: string | undefined,
  env: Env,
  readText: (path: string) => string | undefined = readTextIfExists,
  home: string = homedir(),
): { region: string; file: string; section: string } | undefined {
  const file = readEnv(env, "AWS_CONFIG_FILE") ?? join(home, ".aws", "config");
  const text = readText(file);
  if (text === undefined) return undefined;
  const name = profile ?? "default";
  const wanted = name === "default" ? ["default", "profile default"] : [`profile ${name}`];
  let section: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, "").trim();
    const header = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (header) {
      section = header[1]!.replace(/\s+/g, " ");
      continue;
    }
    if (!section || !wanted.includes(section) || /^\s/.test(raw)) continue;
    const pair = /^region\s*=\s*(\S+)$/.exec(line);
    if (pair) return { region: pair[1]!, file, section };
  }
  return undefined;
}

function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
