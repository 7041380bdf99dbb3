import { isatty } from "node:tty";
import { EXIT } from "./_kit/errors.js";
import { runCli } from "./cli.js";

/**
 * The process entry point (bin/pipeline runs dist/commands/main.js) and the only place that sets
 * the exit code or exits. Ctrl-C aborts the command's signal so it can clean up (stop an emulator it
 * started, finish a write); a second Ctrl-C exits at once.
 */
const interrupted = new AbortController();
let interrupts = 0;
const onInterrupt = () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(EXIT.interrupted);
  process.stderr.write("\npipeline: interrupted; stopping (Ctrl-C again to quit at once)\n");
  interrupted.abort(new Error("interrupted"));
};
process.on("SIGINT", onInterrupt);
// `pipeline config show | head` closes stdout early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? EXIT.ok);
    throw error;
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdinIsTTY: isatty(0),
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  signal: interrupted.signal,
});
process.off("SIGINT", onInterrupt);
process.exitCode = interrupted.signal.aborted && code === EXIT.ok ? EXIT.interrupted : code;
