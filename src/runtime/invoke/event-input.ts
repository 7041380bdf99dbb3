import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { RunInputError } from "./run.js";

/** Events larger than Lambda's synchronous payload limit (6 MB) could never reach a function. */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;

export interface EventSource {
  /** Reads all of standard input (for `--event -`). */
  readStdin: () => Promise<string>;
  cwd: string;
}

/**
 * The event for `pipeline run --event FILE|-`: JSON text from a file or standard input, parsed.
 * Whether it fits the stage is checked by the run (scrape trigger or stream batch).
 */
export async function readEventInput(from: string, io: EventSource): Promise<unknown> {
  const where = from === "-" ? "standard input" : from;
  let text: string;
  if (from === "-") {
    text = await io.readStdin();
  } else {
    try {
      text = await readFile(resolve(io.cwd, from), "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : String(code);
      throw new RunInputError(
        `cannot read the event file ${from} (${why}); pass a JSON file, or - for standard input ` +
          "(e.g. `pipeline events generate stream | pipeline run --stage post-process --event -`)",
      );
    }
  }
  if (Buffer.byteLength(text) > MAX_EVENT_BYTES) {
    throw new RunInputError(`the event in ${where} is larger than Lambda's 6 MB payload limit`);
  }
  if (text.trim() === "") {
    throw new RunInputError(
      `the event in ${where} is empty; pass a JSON event (\`pipeline events generate <kind>\` prints one)`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RunInputError(
      `the event in ${where} is not JSON (${(error as Error).message}); ` +
        "pass a JSON event (`pipeline events generate <kind>` prints one)",
    );
  }
}
