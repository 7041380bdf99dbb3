import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

/** True when an `aws` command runs here (CI may lack it; tests using it are skipped then). */
export const awsCliAvailable: boolean = (() => {
  try {
    execFileSync("aws", ["--version"], { stdio: "ignore", timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
})();

/** The `aws` on PATH as major.minor (from `aws --version`), or undefined without one. */
export function awsCliVersion(): { major: number; minor: number } | undefined {
  try {
    const out = execFileSync("aws", ["--version"], { encoding: "utf8", timeout: 15_000 });
    const match = /aws-cli\/(\d+)\.(\d+)/.exec(out);
    return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The exit code the `aws` on PATH gives for an error the service answered: 254 in v2, 255 in v1
 * (which uses 255 for every failure). CI machines may have either.
 */
export const AWS_CLI_SERVICE_ERROR_EXIT: number = (awsCliVersion()?.major ?? 2) >= 2 ? 254 : 255;

/**
 * An isolated CLI config. AWS CLI v1 fetches any parameter value that starts with http:// or
 * https:// unless `cli_follow_urlparam` is off (v2 has it off already), so a value such as an
 * API destination's endpoint would be downloaded instead of sent.
 */
const isolatedConfig: string = (() => {
  const file = join(mkdtempSync(join(tmpdir(), "aws-cli-config-")), "config");
  writeFileSync(file, "[default]\ncli_follow_urlparam = false\n");
  return file;
})();

export interface AwsCliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `aws <args> --endpoint-url <endpoint>` with test credentials, isolated from the user's config;
 * `env` overrides them (e.g. a 12-digit AWS_ACCESS_KEY_ID for another account, AWS_DEFAULT_REGION).
 */
export async function awsCli(
  endpoint: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<AwsCliResult> {
  const result = await execa("aws", [...args, "--endpoint-url", endpoint, "--output", "json"], {
    reject: false,
    timeout: 60_000,
    env: {
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_PAGER: "",
      AWS_CONFIG_FILE: isolatedConfig,
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      ...env,
    },
  });
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Runs an AWS CLI command that must succeed and parses its JSON output. */
export async function awsCliJson<T = Record<string, unknown>>(
  endpoint: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<T> {
  const result = await awsCli(endpoint, args, env);
  if (result.exitCode !== 0)
    throw new Error(`aws ${args.join(" ")} failed (${result.exitCode}): ${result.stderr}`);
  return (result.stdout.trim() ? JSON.parse(result.stdout) : {}) as T;
}
