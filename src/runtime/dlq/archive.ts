import { mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { OperatorError } from "../config/errors.js";
import { decodeMessage, type DecodedMessage, type RawMessage } from "./decode.js";
import type { StreamRecord } from "./stream-records.js";

/**
 * The DLQ archive: one JSON line per message, appended and fsynced before the message is deleted
 * from its queue, so a crash between the two leaves the message in both places, never in neither.
 */
export interface ArchiveEntry {
  /** Format version of this line. */
  v: 1;
  archivedAt: string;
  /** Queue name and ARN the message was taken from. */
  queue: string;
  queueArn: string;
  messageId: string;
  body: string;
  attributes: RawMessage["attributes"];
  messageAttributes: RawMessage["messageAttributes"];
  decoded: DecodedMessage;
  /** Stream failures only: the records of the range, fetched by `dlq rehydrate`. */
  records?: StreamRecord[];
}

export function archiveEntry(
  queue: { name: string; arn: string },
  raw: RawMessage,
  now: Date,
  records?: StreamRecord[],
): ArchiveEntry {
  return {
    v: 1,
    archivedAt: now.toISOString(),
    queue: queue.name,
    queueArn: queue.arn,
    messageId: raw.messageId,
    body: raw.body,
    attributes: raw.attributes,
    messageAttributes: raw.messageAttributes,
    decoded: decodeMessage(raw),
    ...(records ? { records } : {}),
  };
}

/** Appends lines and fsyncs the file (and, on first creation, its folder) before returning. */
export async function appendJsonLines(file: string, values: readonly unknown[]): Promise<void> {
  if (values.length === 0) return;
  await mkdir(dirname(file), { recursive: true });
  const handle = await open(file, "a");
  try {
    await handle.appendFile(values.map((value) => `${JSON.stringify(value)}\n`).join(""));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncFolder(dirname(file));
}

async function syncFolder(folder: string): Promise<void> {
  // A new file's directory entry must reach the disk too; some platforms cannot open folders.
  try {
    const handle = await open(folder, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}

/**
 * Reads JSON lines. A torn last line (the writer was killed mid-append) is ignored; a bad line
 * elsewhere is an error naming the line.
 */
export async function readJsonLines(file: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const lines = text.split("\n");
  const values: unknown[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      values.push(JSON.parse(line));
    } catch {
      const isLast = lines.slice(index + 1).every((rest) => rest.trim() === "");
      if (isLast && !text.endsWith("\n")) break;
      throw new OperatorError(`${file}:${index + 1} is not a JSON line; fix or remove that line`);
    }
  }
  return values;
}

export async function readArchive(file: string): Promise<ArchiveEntry[]> {
  const values = await readJsonLines(file);
  if (values.length === 0) {
    try {
      await readFile(file);
    } catch {
      throw new OperatorError(
        `archive ${file} does not exist; write one with: pipeline dlq drain --to ${file}`,
      );
    }
  }
  return values.map((value, index) => {
    if (!isEntry(value)) {
      throw new OperatorError(
        `${file}:${index + 1} is not a DLQ archive entry (needs messageId, body, queue); was it written by pipeline dlq drain?`,
      );
    }
    // Decoding is re-done from the raw message so archives from older versions read the same way.
    return { ...value, decoded: decodeMessage(toRaw(value)) };
  });
}

export function toRaw(
  entry: Pick<ArchiveEntry, "messageId" | "body" | "attributes" | "messageAttributes">,
): RawMessage {
  return {
    messageId: entry.messageId,
    body: entry.body,
    attributes: entry.attributes ?? {},
    messageAttributes: entry.messageAttributes ?? {},
  };
}

function isEntry(value: unknown): value is ArchiveEntry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.messageId === "string" && typeof entry.body === "string" && typeof entry.queue === "string"
  );
}
