/**
 * Output modes, decided once per command run: `json` when the command was asked for --json,
 * otherwise `pretty` (colours) on a terminal and `plain` when stdout is not a terminal or NO_COLOR
 * is set. In json mode stdout carries only JSON; human notes go to stderr.
 */
export type OutputMode = "pretty" | "plain" | "json";

export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export function decideOutputMode(options: { json: boolean; isTTY: boolean; noColor: boolean }): OutputMode {
  if (options.json) return "json";
  return options.isTTY && !options.noColor ? "pretty" : "plain";
}

const ANSI = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

export type Style = Record<keyof typeof ANSI, (text: string) => string>;

function makeStyle(colour: boolean): Style {
  const entries = Object.entries(ANSI).map(([name, [open, close]]) => [
    name,
    colour ? (text: string) => `\u001b[${open}m${text}\u001b[${close}m` : (text: string) => text,
  ]);
  return Object.fromEntries(entries) as Style;
}

export class Output {
  readonly style: Style;

  constructor(
    readonly mode: OutputMode,
    private readonly stdout: OutputStream,
    private readonly stderr: OutputStream,
  ) {
    this.style = makeStyle(mode === "pretty");
  }

  /** A line of the human report (stdout; stderr in json mode so stdout stays parseable). */
  line(text = ""): void {
    (this.mode === "json" ? this.stderr : this.stdout).write(`${text}\n`);
  }

  /** The command's result: JSON in json mode, else the human rendering. */
  result<T>(data: T, render: (data: T) => void): void {
    if (this.mode === "json") this.json(data);
    else render(data);
  }

  /** Text as it is, on stdout (a file's content: `roster export`, `events generate`). */
  write(text: string): void {
    this.stdout.write(text);
  }

  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON object per line, for streams (logs, events). */
  ndjson(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Progress and side remarks: stderr, never mixed into results. */
  note(text: string): void {
    this.stderr.write(`${this.style.dim(text)}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${this.style.yellow("warning:")} ${text}\n`);
  }

  /** Left-aligned columns; the header is bold on a terminal. */
  table(header: string[], rows: string[][]): void {
    const widths = header.map((title, column) =>
      Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[column] ?? ""))),
    );
    const format = (cells: string[]) =>
      cells
        .map((cell, column) =>
          column === cells.length - 1 ? cell : cell + " ".repeat(widths[column]! - visibleLength(cell)),
        )
        .join("  ")
        .trimEnd();
    this.line(this.style.bold(format(header)));
    for (const row of rows) this.line(format(row));
  }
}

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[\d+m/g, "").length;
}
