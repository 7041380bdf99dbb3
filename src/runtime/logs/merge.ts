/**
 * The bookkeeping behind `logs tail`: which events of each log group were already emitted, where
 * the next FilterLogEvents call of a group starts, and how the groups' events are interleaved.
 *
 * CloudWatch Logs indexes an event under its own timestamp, not its arrival: an event written late
 * (a Lambda flushing its buffer, a clock a little behind) can appear with a timestamp older than
 * events already read. Like `aws logs tail --follow`, each poll starts at the newest timestamp seen,
 * but reaches back a window further and drops event ids it already emitted, so a late event inside
 * the window is emitted once, and nothing is emitted twice.
 */

export interface TailEvent {
  /** The stack's logical function key (scraper-tmdb, post-processor, ...). */
  function: string;
  logGroupName: string;
  /** Epoch milliseconds: when the event happened. */
  timestamp: number;
  /** Epoch milliseconds: when CloudWatch Logs stored it (orders events with equal timestamps). */
  ingestionTime: number;
  stream: string;
  message: string;
  eventId: string;
}

/** How far back each poll reaches for events that arrived after newer ones had been read. */
export const DEFAULT_LATE_WINDOW_MS = 30_000;

interface GroupCursor {
  /** Newest timestamp emitted so far, or undefined before the first event. */
  newest: number | undefined;
  /** Event ids emitted, with their timestamps, for the part of the past the next poll rereads. */
  seen: Map<string, number>;
}

export class TailCursor {
  private readonly groups = new Map<string, GroupCursor>();

  constructor(
    /** Where the tail starts (epoch ms): the --since instant. */
    private readonly since: number,
    private readonly lateWindowMs = DEFAULT_LATE_WINDOW_MS,
  ) {}

  /** startTime for the next FilterLogEvents call on this group. */
  startTimeFor(logGroupName: string): number {
    const newest = this.groups.get(logGroupName)?.newest;
    if (newest === undefined) return this.since;
    return Math.max(this.since, newest - this.lateWindowMs);
  }

  /**
   * Takes one poll's events of one group (in any order) and returns those not emitted before,
   * remembering them. Ids older than the next poll's start are forgotten: no poll returns them again.
   */
  accept(logGroupName: string, events: readonly TailEvent[]): TailEvent[] {
    let cursor = this.groups.get(logGroupName);
    if (!cursor) {
      cursor = { newest: undefined, seen: new Map() };
      this.groups.set(logGroupName, cursor);
    }
    const fresh: TailEvent[] = [];
    for (const event of events) {
      if (cursor.seen.has(event.eventId)) continue;
      cursor.seen.set(event.eventId, event.timestamp);
      cursor.newest =
        cursor.newest === undefined ? event.timestamp : Math.max(cursor.newest, event.timestamp);
      fresh.push(event);
    }
    const keepFrom = this.startTimeFor(logGroupName);
    for (const [id, timestamp] of cursor.seen) if (timestamp < keepFrom) cursor.seen.delete(id);
    return fresh;
  }

  /** How many event ids are remembered for a group (bounded by the window; for tests). */
  remembered(logGroupName: string): number {
    return this.groups.get(logGroupName)?.seen.size ?? 0;
  }
}

/**
 * One time-ordered list from several groups' events: by timestamp, then ingestion time, then the
 * order the groups were given in, then each group's own order (stable).
 */
export function interleave(batches: readonly (readonly TailEvent[])[]): TailEvent[] {
  const tagged = batches.flatMap((events, group) => events.map((event, index) => ({ event, group, index })));
  tagged.sort(
    (a, b) =>
      a.event.timestamp - b.event.timestamp ||
      a.event.ingestionTime - b.event.ingestionTime ||
      a.group - b.group ||
      a.index - b.index,
  );
  return tagged.map(({ event }) => event);
}
