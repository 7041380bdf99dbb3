import type { CommandContext } from "../_kit/index.js";

/** One answered request of the emulator or the fixture source server (`--log-requests`). */
export interface RequestLogEntry {
  method: string;
  service: string;
  operation: string;
  /** 0: the client went away before an answer (an injected timeout). */
  status: number;
  ms: number;
}

/** `11:24:05.822Z  POST    dynamodb     PutItem                         200    3 ms` */
export function requestLogLine(entry: RequestLogEntry, at: Date): string {
  return [
    at.toISOString().slice(11),
    entry.method.padEnd(6),
    entry.service.padEnd(15),
    entry.operation.padEnd(30),
    String(entry.status || "-").padStart(3),
    `${String(entry.ms).padStart(5)} ms`,
  ].join("  ");
}

/** Prints each request as a line (NDJSON with --json), through the command's output. */
export function requestLogger(ctx: CommandContext, origin: string): (entry: RequestLogEntry) => void {
  return (entry) => {
    const at = new Date();
    if (ctx.output.mode === "json")
      ctx.output.ndjson({ request: { at: at.toISOString(), origin, ...entry } });
    else ctx.output.line(requestLogLine(entry, at));
  };
}
