/** CloudWatch quotas and fixed values the emulator enforces. */

export const MAX_ALARM_NAME_LENGTH = 255;
export const MAX_DIMENSIONS = 30;
export const MAX_METRIC_DATA_PER_PUT = 1000;
export const MAX_VALUES_PER_DATUM = 150;
export const MAX_ACTIONS_PER_STATE = 5;
export const MAX_STATE_REASON_LENGTH = 1023;
export const DESCRIBE_ALARMS_DEFAULT = 50;
export const DESCRIBE_ALARMS_MAX = 100;
export const MAX_ALARM_NAMES = 100;
export const LIST_METRICS_PAGE = 500;
export const MAX_DATAPOINTS_PER_QUERY = 1440;
/** Evaluation range limit: EvaluationPeriods x Period (7 days). */
export const MAX_EVALUATION_RANGE_SECONDS = 7 * 24 * 60 * 60;
/** PutMetricData accepts timestamps up to two weeks old and two hours ahead. */
export const MAX_DATUM_AGE_MS = 14 * 24 * 60 * 60 * 1000;
export const MAX_DATUM_FUTURE_MS = 2 * 60 * 60 * 1000;
/** Kept metric history (CloudWatch keeps 1-minute data 15 days) and a per-series cap. */
export const METRIC_RETENTION_MS = 15 * 24 * 60 * 60 * 1000;
export const MAX_POINTS_PER_SERIES = 20_000;
export const RECENTLY_ACTIVE_MS = 3 * 60 * 60 * 1000;
/** CloudWatch evaluates alarms once a minute. */
export const EVALUATION_INTERVAL_MS = 60 * 1000;
export const COMPACT_AFTER_ENTRIES = 5_000;

export const STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"] as const;
export type Statistic = (typeof STATISTICS)[number];
export const COMPARISON_OPERATORS = [
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
] as const;
export const ANOMALY_OPERATORS = [
  "LessThanLowerOrGreaterThanUpperThreshold",
  "LessThanLowerThreshold",
  "GreaterThanUpperThreshold",
];
export const TREAT_MISSING_DATA = ["breaching", "notBreaching", "ignore", "missing"] as const;
export const ALARM_STATES = ["OK", "ALARM", "INSUFFICIENT_DATA"] as const;
export type AlarmState = (typeof ALARM_STATES)[number];
export const UNITS = [
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
];
