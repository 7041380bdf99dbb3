import type { CloudWatchLogsClient, FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { OperatorError } from "../config/errors.js";
import { DEFAULT_LATE_WINDOW_MS, interleave, TailCursor, type TailEvent } from "./merge.js";
import type { LogSource } from "./sources.js";

/** One FilterLogEvents page request; the SDK client or a test's double answers it. */
export interface FilterPageRequest {
  logGroupName: string;
  startTime: number;
  filterPattern?: string;
  nextToken?: string;
}

export interface FilterPage {
  events: FilteredLogEvent[];
  nextToken?: string;
}

export type FilterLogEventsPort = (request: FilterPageRequest) => Promise<FilterPage>;

/** Time for the follow loop; tests drive it by hand. */
export interface TailClock {
  now(): number;
  /** Resolves after ms, or early when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemTailClock: TailClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    }),
};

export const DEFAULT_POLL_INTERVAL_MS = 1000;

export interface TailOptions {
  sources: readonly LogSource[];
  /** Epoch ms of the oldest event to show (the --since instant). */
  since: number;
  filterPattern?: string;
  follow: boolean;
  filter: FilterLogEventsPort;
  clock?: TailClock;
  pollIntervalMs?: number;
  lateWindowMs?: number;
  /** Ends the tail (Ctrl-C); the generator then returns without an error. */
  signal?: AbortSignal;
}

/** FilterLogEvents over the SDK client, one group per call as the API requires. */
export function filterWithClient(client: CloudWatchLogsClient): FilterLogEventsPort {
  return async (request) => {
    const { FilterLogEventsCommand } = await import("@aws-sdk/client-cloudwatch-logs");
    try {
      const page = await client.send(
        new FilterLogEventsCommand({
          logGroupName: request.logGroupName,
          startTime: request.startTime,
          ...(request.filterPattern ? { filterPattern: request.filterPattern } : {}),
          ...(request.nextToken ? { nextToken: request.nextToken } : {}),
        }),
      );
      return { events: page.events ?? [], ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    } catch (error) {
      if (error instanceof Error && error.name === "InvalidParameterException" && request.filterPattern) {
        throw new OperatorError(
          `--filter ${JSON.stringify(request.filterPattern)} is not a CloudWatch Logs filter pattern ` +
            `(${error.message.replace(/^Invalid filter pattern:\s*/, "")}); use a term (ERROR), a quoted phrase ` +
            `("Task timed out"), terms with ?/- (?ERROR ?WARN), a JSON pattern ({ $.level = "ERROR" }) ` +
            "or a space-delimited one ([time, id, level = ERROR, ...])",
        );
      }
      if (error instanceof Error && error.name === "ResourceNotFoundException") {
        throw new OperatorError(
          `log group ${request.logGroupName} does not exist; deploy the stack (pipeline deploy) ` +
            "or check --target / --region",
        );
      }
      throw error;
    }
  };
}

/**
 * Tails several log groups as one stream: yields batches of new events in time order, one batch per
 * poll (the first batch holds everything since `since`). Without `follow` it ends after one poll;
 * with it, it polls every interval until the signal aborts.
 */
export async function* tailLogs(options: TailOptions): AsyncGenerator<TailEvent[], void, undefined> {
  const clock = options.clock ?? systemTailClock;
  const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const cursor = new TailCursor(options.since, options.lateWindowMs ?? DEFAULT_LATE_WINDOW_MS);
  for (;;) {
    if (options.signal?.aborted) return;
    const batches: TailEvent[][] = [];
    for (const source of options.sources) {
      const events = await readGroup(options, source, cursor.startTimeFor(source.logGroupName));
      if (options.signal?.aborted) return;
      batches.push(cursor.accept(source.logGroupName, events));
    }
    const merged = interleave(batches);
    if (merged.length > 0 || !options.follow) yield merged;
    if (!options.follow) return;
    await clock.sleep(interval, options.signal);
  }
}

async function readGroup(options: TailOptions, source: LogSource, startTime: number): Promise<TailEvent[]> {
  const events: TailEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await options.filter({
      logGroupName: source.logGroupName,
      startTime,
      ...(options.filterPattern ? { filterPattern: options.filterPattern } : {}),
      ...(nextToken ? { nextToken } : {}),
    });
    for (const event of page.events) {
      if (event.eventId === undefined || event.timestamp === undefined) continue;
      events.push({
        function: source.function,
        logGroupName: source.logGroupName,
        timestamp: event.timestamp,
        ingestionTime: event.ingestionTime ?? event.timestamp,
        stream: event.logStreamName ?? "",
        message: event.message ?? "",
        eventId: event.eventId,
      });
    }
    // A page may be empty while more follow; no token means the group is read to its end.
    nextToken = page.nextToken;
  } while (nextToken !== undefined && !options.signal?.aborted);
  return events;
}
