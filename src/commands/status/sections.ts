import type { PipelineStatus } from "../../runtime/status/index.js";

/** How a cell is coloured on a terminal: good, attention, failure, or secondary. */
export type Tone = "ok" | "warn" | "bad" | "dim" | undefined;

export interface Cell {
  text: string;
  tone?: Tone;
}

/** One block of the status screen: a title, column headers and rows; shared by ink and plain text. */
export interface Section {
  title: string;
  header: string[];
  rows: Cell[][];
  /**
   * Lines the last column may take on a narrow screen (default 1): an error's cause is worth more
   * than one line of an 80-column terminal.
   */
  lastColumnLines?: number;
}

const cell = (text: string | number, tone?: Tone): Cell => ({
  text: String(text),
  ...(tone ? { tone } : {}),
});

function stateTone(state: string, good: readonly string[]): Tone {
  if (state === "missing" || state === "unknown" || state === "Failed") return "bad";
  return good.includes(state) ? "ok" : "warn";
}

function ago(iso: string, now: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(now) - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds}s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}

function until(iso: string, now: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(iso) - Date.parse(now)) / 1000));
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return days ? `in ${days}d ${hours}h` : hours ? `in ${hours}h ${minutes}m` : `in ${minutes}m`;
}

export function statusSections(status: PipelineStatus): Section[] {
  const now = status.at;
  return [
    {
      title: "Rules",
      header: ["RULE", "STATE", "SCHEDULE", "NEXT RUN", "TARGETS"],
      rows: status.rules.map((rule) => [
        cell(rule.name),
        cell(
          rule.error ? `unknown (${rule.error})` : rule.state,
          stateTone(rule.state, ["ENABLED", "DISABLED"]),
        ),
        cell(rule.schedule ?? (rule.state === "missing" || rule.error ? "-" : "event pattern"), "dim"),
        rule.nextRun
          ? cell(`${rule.nextRun} (${until(rule.nextRun, now)})`)
          : rule.nextRunIfEnabled
            ? cell(`none while disabled (would be ${rule.nextRunIfEnabled})`, "dim")
            : cell("-", "dim"),
        cell(rule.state === "missing" ? "-" : rule.targets),
      ]),
    },
    {
      title: "Functions",
      header: ["FUNCTION", "STATE", "INVOCATIONS 24H", "ERRORS 24H", "LAST ERROR"],
      rows: status.functions.map((fn) => [
        cell(fn.name),
        cell(fn.error ? `unknown (${fn.error})` : fn.state, stateTone(fn.state, ["Active"])),
        cell(fn.invocations ?? "-"),
        cell(fn.errors ?? "-", fn.errors ? "bad" : undefined),
        fn.lastError ? cell(`${ago(fn.lastError.at, now)} (below)`, "bad") : cell("-", "dim"),
      ]),
    },
    // The cause of each function's latest error, with the width of the screen to itself.
    ...(status.functions.some((fn) => fn.lastError)
      ? [
          {
            title: "Last errors",
            header: ["FUNCTION", "AT", "CAUSE"],
            rows: status.functions.flatMap((fn) =>
              fn.lastError
                ? [
                    [
                      cell(fn.name),
                      cell(fn.lastError.at.slice(11, 19) + "Z", "dim"),
                      cell(fn.lastError.cause, "bad"),
                    ],
                  ]
                : [],
            ),
            lastColumnLines: 3,
          },
        ]
      : []),
    {
      title: "Failure queues",
      header: ["QUEUE", "VISIBLE", "IN FLIGHT", "FED BY"],
      rows: status.queues.map((queue) =>
        queue.exists
          ? [
              cell(queue.name),
              cell(queue.visible, queue.visible > 0 ? "bad" : "ok"),
              cell(queue.inFlight),
              cell(`${queue.feeds.length} sources`, "dim"),
            ]
          : [
              cell(queue.name),
              cell(queue.error ? `unknown (${queue.error})` : "missing", "bad"),
              cell("-"),
              cell("-"),
            ],
      ),
    },
    {
      title: "Table",
      header: [
        "TABLE",
        "ROSTER",
        "CELEBRITY ITEMS",
        "WITH WEIGHT",
        "WITHOUT WEIGHT",
        "RUN RECORDS",
        "STREAM",
      ],
      rows: [
        status.table.exists
          ? [
              cell(status.table.name),
              cell(
                `${status.table.activeRoster} active${status.table.roster > status.table.activeRoster ? ` of ${status.table.roster}` : ""}`,
                status.table.activeRoster === 0 ? "bad" : undefined,
              ),
              cell(status.table.error ? `unknown (${status.table.error})` : status.table.items),
              cell(status.table.withWeight, "ok"),
              cell(status.table.withoutWeight, status.table.withoutWeight > 0 ? "warn" : undefined),
              cell(status.table.runRecords),
              cell(
                status.table.streamEnabled ? "enabled" : "disabled",
                status.table.streamEnabled ? "ok" : "bad",
              ),
            ]
          : [
              cell(status.table.name),
              cell(status.table.error ? `unknown (${status.table.error})` : "missing", "bad"),
              cell("-"),
              cell("-"),
              cell("-"),
              cell("-"),
              cell("-"),
            ],
      ],
    },
    ...runSections(status),
    {
      title: "Stream mappings",
      header: ["FUNCTION", "STATE", "BATCH", "LAST RESULT"],
      rows: status.mappings.map((mapping) => [
        cell(mapping.functionName),
        cell(
          mapping.error ? `unknown (${mapping.error})` : mapping.state,
          stateTone(mapping.state, ["Enabled"]),
        ),
        cell(mapping.batchSize ?? "-"),
        cell(mapping.lastProcessingResult ?? "-", "dim"),
      ]),
    },
    {
      title: "Alarms",
      header: ["ALARM", "STATE", "SINCE", "ACTIONS", "REASON"],
      rows: [
        ...status.alarms.map((alarm) => [
          cell(alarm.name),
          cell(
            alarm.error ? `unknown (${alarm.error})` : alarm.state,
            alarm.state === "ALARM"
              ? "bad"
              : alarm.state === "OK"
                ? "ok"
                : alarm.state === "missing"
                  ? "bad"
                  : "warn",
          ),
          alarm.since ? cell(ago(alarm.since, now), "dim") : cell("-", "dim"),
          cell(alarm.actions, alarm.actions === 0 && alarm.state !== "missing" ? "warn" : undefined),
          cell((alarm.reason ?? "-").slice(0, 100), alarm.state === "ALARM" ? "bad" : "dim"),
        ]),
        [
          cell(`topic ${status.alerts.topic}`),
          status.alerts.exists
            ? cell(
                `${status.alerts.confirmed} subscribed${status.alerts.pending > 0 ? `, ${status.alerts.pending} pending` : ""}`,
                status.alerts.confirmed > 0 ? "ok" : "warn",
              )
            : cell(status.alerts.error ? `unknown (${status.alerts.error})` : "missing", "bad"),
          cell("-", "dim"),
          cell("-", "dim"),
          cell(
            status.alerts.exists && status.alerts.confirmed === 0
              ? "nobody hears the alarms: pipeline alerts subscribe"
              : "-",
            status.alerts.exists && status.alerts.confirmed === 0 ? "warn" : "dim",
          ),
        ],
      ],
    },
    {
      title: "Search index",
      header: ["INDEX", "DOCUMENTS", "ENDPOINT"],
      rows: [
        [
          cell(status.index.name),
          status.index.exists
            ? cell(status.index.documents ?? "-")
            : cell(status.index.error ? `unknown (${status.index.error})` : "missing", "bad"),
          cell(status.index.endpoint || "-", "dim"),
        ],
      ],
    },
  ];
}

/** Cells padded to their column's width (the last column is not padded). */
export function padRows(section: Section): Cell[][] {
  const all = [section.header.map((text) => cell(text)), ...section.rows];
  const widths = section.header.map((_, column) =>
    Math.max(...all.map((row) => row[column]?.text.length ?? 0)),
  );
  return all.map((row) =>
    row.map((c, column) => ({
      ...c,
      text: column === row.length - 1 ? c.text : c.text.padEnd(widths[column] ?? 0),
    })),
  );
}

/** The latest run, a row per source with its shards summed, and each source's queue and workers. */
function runSections(status: PipelineStatus): Section[] {
  const now = status.at;
  const run = status.latestRun;
  const runSection: Section[] =
    run === undefined
      ? []
      : [
          {
            title: `Latest run ${run.runId}${run.plannedAt ? ` (planned ${ago(run.plannedAt, now)})` : ""}`,
            header: [
              "SOURCE",
              "STATE",
              "SHARDS DONE",
              "FAILED",
              "PENDING",
              "WRITTEN",
              "UNCHANGED",
              "FAILED PEOPLE",
            ],
            rows: run.error
              ? [[cell(`unknown (${run.error})`, "bad")]]
              : run.sources.map((source) => [
                  cell(source.source),
                  cell(
                    source.state,
                    source.state === "complete" ? (source.failed > 0 ? "bad" : "ok") : "warn",
                  ),
                  cell(`${source.done}/${source.shards}`),
                  cell(
                    source.failed > 0
                      ? `${source.failed} (${source.peopleInFailedShards} people, in the DLQ)`
                      : 0,
                    source.failed > 0 ? "bad" : undefined,
                  ),
                  cell(
                    source.retrying > 0 ? `${source.pending} (${source.retrying} retrying)` : source.pending,
                    source.pending > 0 ? "warn" : undefined,
                  ),
                  cell(source.written),
                  cell(source.unchanged),
                  cell(source.failedPeople, source.failedPeople > 0 ? "warn" : undefined),
                ]),
          },
        ];
  return [
    ...runSection,
    {
      title: "Work queues",
      header: ["QUEUE", "WAITING", "IN FLIGHT", "WORKERS"],
      rows: status.workers.map((worker) =>
        worker.queueExists
          ? [
              cell(worker.queue),
              cell(worker.visible),
              cell(worker.inFlight),
              cell(
                worker.mappingState === "missing"
                  ? "no mapping"
                  : `${worker.functionName} ${worker.mappingState}, at most ${worker.maximumConcurrency ?? "?"}`,
                stateTone(worker.mappingState, ["Enabled"]),
              ),
            ]
          : [
              cell(worker.queue),
              cell(worker.error ? `unknown (${worker.error})` : "missing", "bad"),
              cell("-"),
              cell("-"),
            ],
      ),
    },
  ];
}
