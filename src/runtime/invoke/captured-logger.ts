import { Logger } from "@aws-lambda-powertools/logger";
import type { LogItem } from "@aws-lambda-powertools/logger";

/** One structured log line a handler wrote, as it would have gone to CloudWatch. */
export type CapturedLine = Record<string, unknown> & { level?: string; message?: string };

/**
 * The handlers' own Powertools logger, kept in memory instead of printed: an in-process run must
 * not mix the function's JSON lines into the CLI's output, yet its summary lines ("post-processing
 * batch done", "index sync batch done") and error lines are what the run reports.
 */
export class CapturedLogger extends Logger {
  readonly lines: CapturedLine[] = [];

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    this.lines.push(structuredClone(log.getAttributes()) as CapturedLine);
  }

  /** Lines with this message, oldest first. */
  withMessage(message: string): CapturedLine[] {
    return this.lines.filter((line) => line.message === message);
  }

  errors(): CapturedLine[] {
    return this.lines.filter((line) => line.level === "ERROR" || line.level === "CRITICAL");
  }
}

export function capturedLogger(serviceName: string, debug = false): CapturedLogger {
  return new CapturedLogger({ serviceName, logLevel: debug ? "DEBUG" : "INFO" });
}
