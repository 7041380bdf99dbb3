import { runCli } from "../../src/commands/cli.js";
import type { DeployedStack } from "./deployed-stack.js";

/**
 * Runs `pipeline verify …` in-process (runCli) against a deployed test stack, as a user in a folder
 * without a config file would: target local, the emulator's endpoint, the fixture server's port.
 * Output is plain (not a terminal); returns the exit code and both streams.
 */
export async function runVerifyCli(
  deployed: DeployedStack,
  cwd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["verify", ...args, "--endpoint-url", deployed.emulator.url], {
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: false },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false },
    stdinIsTTY: false,
    env: {
      PIPELINE_TARGET: "local",
      PIPELINE_FIXTURES_PORT: String(deployed.fixtures.port),
      AWS_REGION: deployed.emulator.region,
      HOME: cwd,
    },
    cwd,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}
