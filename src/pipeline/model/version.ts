/**
 * The item's version: the ordering key every index write carries (docs/stream-consumers.md, "Why
 * an item version and not the sequence number").
 *
 * Each writer bumps it in the same UpdateItem that changes the item:
 * `SET #version = if_not_exists(#version, :versionBase) + :versionStep`. An existing item counts
 * up by one per write. A new item (first write, or written again after a delete) starts from the
 * write's time in microseconds, so a re-created item starts above any version its deleted
 * predecessor reached (unless that one was written more than 1,000 times per millisecond of its
 * life), and a legacy item without the attribute starts above every document index-sync wrote
 * for it before versions existed. Microseconds stay below 2^53 (exact in JavaScript numbers and
 * in OpenSearch's long) until the year 2255.
 */

export const VERSION_ATTRIBUTE = "version";

/** Microseconds of the write's time: where a new item's version starts. */
export function versionBase(at: Date | string): number {
  const ms = typeof at === "string" ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(ms)) throw new Error(`invalid write time ${JSON.stringify(String(at))}`);
  return ms * 1000;
}

/** The SET clause and the names and values it needs, for one write at `at`. */
export function versionBump(at: Date | string): {
  clause: string;
  names: Record<string, string>;
  values: Record<string, number>;
} {
  return {
    clause: "#version = if_not_exists(#version, :versionBase) + :versionStep",
    names: { "#version": VERSION_ATTRIBUTE },
    values: { ":versionBase": versionBase(at), ":versionStep": 1 },
  };
}

/** The version of an item image, or undefined for an item written before versions existed. */
export function versionOfImage(image: Record<string, unknown> | undefined): number | undefined {
  const value = image?.[VERSION_ATTRIBUTE];
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
