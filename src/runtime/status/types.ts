/** One screen of the pipeline's state (`pipeline status`), as data; the command renders it. */
export interface PipelineStatus {
  /** ISO-8601 time the status was read. */
  at: string;
  target: string;
  account: string;
  region: string;
  rules: RuleRow[];
  functions: FunctionRow[];
  queues: QueueRow[];
  table: TableRow;
  mappings: MappingRow[];
  index: IndexRow;
  /** The stack's alarms; those in ALARM are what someone was (or should have been) told about. */
  alarms: AlarmRow[];
  /** The alerts topic and who hears it. */
  alerts: AlertsRow;
  /** Each source's work queue and the workers on it. */
  workers: WorkerRow[];
  /** The latest run (by plan time), each source's shards summed; undefined when none was planned. */
  latestRun: RunRow | undefined;
}

export interface WorkerRow extends Unreadable {
  source: string;
  queue: string;
  queueExists: boolean;
  /** Shard messages waiting, and being worked on (or waiting out a retry). */
  visible: number;
  inFlight: number;
  functionName: string;
  /** The worker mapping: Enabled, Disabled, …, or "missing". */
  mappingState: string;
  maximumConcurrency: number | undefined;
  lastProcessingResult: string | undefined;
}

export interface RunRow extends Unreadable {
  runId: string;
  /** When its first source was planned (ISO-8601). */
  plannedAt: string | undefined;
  sources: RunSourceRow[];
}

export interface RunSourceRow {
  source: string;
  /** "complete", "running", "planning". */
  state: string;
  shards: number;
  done: number;
  failed: number;
  pending: number;
  retrying: number;
  people: number;
  written: number;
  unchanged: number;
  /** People who failed permanently (counted), and people in shards that failed for good. */
  failedPeople: number;
  peopleInFailedShards: number;
  finishedAt: string | undefined;
  lastError: string | undefined;
}

export interface AlarmRow extends Unreadable {
  name: string;
  /** OK, ALARM, INSUFFICIENT_DATA, or "missing". */
  state: string;
  reason: string | undefined;
  /** When the alarm entered its state (ISO-8601). */
  since: string | undefined;
  /** Actions run when it goes to ALARM. */
  actions: number;
}

export interface AlertsRow extends Unreadable {
  topic: string;
  exists: boolean;
  confirmed: number;
  pending: number;
}

/** A section that could not be read says why instead of failing the whole screen. */
export interface Unreadable {
  error?: string;
}

export interface RuleRow extends Unreadable {
  key: string;
  name: string;
  /** ENABLED, DISABLED, or "missing" when the rule is not deployed. */
  state: string;
  schedule: string | undefined;
  /** The next fire time (ISO-8601 UTC) while ENABLED; null when disabled or not a schedule. */
  nextRun: string | null;
  /** The next fire time if it were enabled (what `schedule enable` would start). */
  nextRunIfEnabled: string | null;
  targets: number;
}

export interface FunctionRow extends Unreadable {
  key: string;
  name: string;
  /** Active, Pending, Failed, Inactive, or "missing". */
  state: string;
  lastUpdateStatus: string | undefined;
  /** Sum of the AWS/Lambda Errors metric over the window; null when unreadable. */
  errors: number | null;
  invocations: number | null;
  /**
   * The latest error line in the function's log group within the window: the line as logged, and
   * its cause in one line (level, message and the error it carries; see logs' digestLogMessage).
   */
  lastError: { at: string; message: string; cause: string } | null;
}

export interface QueueRow extends Unreadable {
  name: string;
  /** Who sends failures here (rule targets, functions, mappings). */
  feeds: string[];
  exists: boolean;
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface TableRow extends Unreadable {
  name: string;
  exists: boolean;
  /** Celebrity items (pk CELEB#…), counted over every scan page. */
  items: number;
  withWeight: number;
  withoutWeight: number;
  /** Run records (pk RUN#…, one per source per run; their shard records are not counted). */
  runRecords: number;
  /** Roster records (pk ROSTER#…), and how many of them the scrapers follow (active). */
  roster: number;
  activeRoster: number;
  streamEnabled: boolean;
}

export interface MappingRow extends Unreadable {
  key: string;
  functionName: string;
  /** Enabled, Disabled, Creating, …, or "missing". */
  state: string;
  batchSize: number | undefined;
  lastProcessingResult: string | undefined;
  stateTransitionReason: string | undefined;
}

export interface IndexRow extends Unreadable {
  name: string;
  endpoint: string;
  exists: boolean;
  documents: number | null;
}
