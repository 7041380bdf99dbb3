import { Box, Text, useInput, useWindowSize } from "ink";
import { useState } from "react";
import { fitMiddle } from "../../runtime/logs/index.js";
import type { PipelineStatus } from "../../runtime/status/index.js";
import { padRows, statusSections, type Tone } from "./sections.js";

const COLOURS: Record<Exclude<Tone, undefined>, string> = {
  ok: "green",
  warn: "yellow",
  bad: "red",
  dim: "gray",
};

export interface StatusViewProps {
  status: PipelineStatus | undefined;
  /** The last refresh's error; the previous status stays on screen. */
  error: string | undefined;
  intervalSeconds: number;
  /** Keys are read (a terminal in raw mode): q quits, arrows and Page Up/Down scroll. */
  interactive?: boolean;
  onQuit?: () => void;
  /** Ctrl-C: in raw mode the terminal sends it as a key, not as SIGINT. */
  onInterrupt?: () => void;
}

interface Segment {
  text: string;
  tone?: Tone;
  bold?: boolean;
}

type Line = Segment[];

/** Every line of the screen, fitted to the terminal's width. */
function screenLines(status: PipelineStatus, error: string | undefined, width: number): Line[] {
  const lines: Line[] = [];
  if (error) lines.push(...fitLines([{ text: `refresh failed: ${error}`, tone: "bad" }], width, 2));
  for (const section of statusSections(status)) {
    lines.push([]);
    lines.push([{ text: section.title, bold: true }]);
    padRows(section).forEach((row, index) =>
      lines.push(
        ...fitLines(
          row.map((cell, column) => ({
            text: `${column === 0 ? "" : "  "}${cell.text}`,
            ...(index === 0 ? { bold: true } : cell.tone ? { tone: cell.tone } : {}),
          })),
          width,
          index === 0 ? 1 : (section.lastColumnLines ?? 1),
        ),
      ),
    );
  }
  return lines;
}

/**
 * A line fitted to the terminal's width, so the terminal never wraps it (a line it wraps makes the
 * redraw erase too few rows, and frames pile up in the scrollback). The last cell (a cause, a
 * reason) may continue on up to `maxLines - 1` lines under itself, and beyond that keeps its start
 * and its end, where a chained error names its root cause.
 */
export function fitLines(line: Line, width: number, maxLines = 1): Line[] {
  const total = line.reduce((sum, segment) => sum + segment.text.length, 0);
  if (total <= width) return [line];
  const head = line.slice(0, -1);
  const used = head.reduce((sum, segment) => sum + segment.text.length, 0);
  const last = line.at(-1)!;
  if (used + 8 <= width) {
    const lead = last.text.length - last.text.trimStart().length;
    const room = width - used - lead;
    const chunks = wrapWords(last.text.trim(), room, maxLines);
    const indent = " ".repeat(used + lead);
    return chunks.map((chunk, index) =>
      index === 0
        ? [...head, { ...last, text: last.text.slice(0, lead) + chunk }]
        : [{ ...last, text: indent + chunk }],
    );
  }
  // Even the cells before the last do not fit: cut the line at the width.
  const out: Line = [];
  let room = width;
  for (const segment of line) {
    if (room <= 0) break;
    out.push({ ...segment, text: segment.text.slice(0, room) });
    room -= segment.text.length;
  }
  return [out];
}

/**
 * Text in at most `maxLines` chunks of `room` characters, broken at spaces where one is near the
 * end of a chunk; what still does not fit is shortened in the middle of the last chunk.
 */
function wrapWords(text: string, room: number, maxLines: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > room && chunks.length < maxLines - 1) {
    const space = rest.lastIndexOf(" ", room);
    const cut = space > room / 2 ? space + 1 : room;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut);
  }
  chunks.push(fitMiddle(rest, room));
  return chunks;
}

function Row({ line }: { line: Line }) {
  if (line.length === 0) return <Text> </Text>;
  return (
    <Text wrap="truncate-end">
      {line.map((segment, index) => (
        <Text
          key={index}
          bold={segment.bold === true}
          {...(segment.tone
            ? segment.tone === "dim"
              ? { dimColor: true }
              : { color: COLOURS[segment.tone] }
            : {})}
        >
          {segment.text}
        </Text>
      ))}
    </Text>
  );
}

/**
 * The live `pipeline status` screen (ink). It always fits the terminal: at most rows - 1 lines
 * (ink redraws a frame in place only while it is shorter than the terminal) and no line wider than
 * the columns; what does not fit scrolls with the arrow keys, and a footer says what is hidden.
 */
export function StatusView({
  status,
  error,
  intervalSeconds,
  interactive = false,
  onQuit,
  onInterrupt,
}: StatusViewProps) {
  const { columns, rows } = useWindowSize();
  const [offset, setOffset] = useState(0);
  const width = Math.max(20, columns || 80);
  const height = Math.max(4, (rows || 24) - 1);
  const body = status ? screenLines(status, error, width) : [];
  // The header line, then the body; a footer only when the body does not fit.
  const fits = body.length <= height - 1;
  const bodyRows = fits ? body.length : height - 2;
  const maxOffset = Math.max(0, body.length - bodyRows);
  const top = Math.min(offset, maxOffset);

  useInput(
    (input, key) => {
      if (key.ctrl && input === "c") onInterrupt?.();
      else if (input === "q" || input === "Q" || key.escape) onQuit?.();
      else if (key.downArrow || input === "j") setOffset(Math.min(maxOffset, top + 1));
      else if (key.upArrow || input === "k") setOffset(Math.max(0, top - 1));
      else if (key.pageDown || input === " ") setOffset(Math.min(maxOffset, top + bodyRows));
      else if (key.pageUp) setOffset(Math.max(0, top - bodyRows));
      else if (key.home || input === "g") setOffset(0);
      else if (key.end || input === "G") setOffset(maxOffset);
    },
    { isActive: interactive },
  );

  if (!status) return <Text dimColor>reading the pipeline&apos;s state ...</Text>;
  const keys = interactive ? "q quits" : "Ctrl-C quits";
  const header: Line = [
    { text: "status", bold: true },
    {
      text: `  ${status.target} · ${status.account} · ${status.region} · ${status.at.slice(11, 19)}Z · every ${intervalSeconds}s · ${keys}`,
      tone: "dim",
    },
  ];
  const shown = body.slice(top, top + bodyRows);
  const footer: Line | undefined = fits
    ? undefined
    : [
        {
          text:
            `lines ${top + 1}-${top + shown.length} of ${body.length}` +
            (interactive ? " · ↑/↓ PgUp/PgDn scroll · q quits" : " · a taller terminal shows more"),
          tone: "dim",
        },
      ];
  return (
    <Box flexDirection="column">
      <Row line={fitLines(header, width)[0]!} />
      {shown.map((line, index) => (
        <Row key={top + index} line={line} />
      ))}
      {footer ? <Row line={fitLines(footer, width)[0]!} /> : null}
    </Box>
  );
}
