/**
 * How deeply a request body nests, measured without parsing it (so without recursion): the
 * gateway refuses a body nested past the limit before any service parses or walks it, since
 * every JSON walker of the services (validation, marshalling, pattern matching, persistence)
 * would otherwise overflow the stack on a body nested 100,000 levels deep.
 */

/**
 * Nesting levels a request may have: 1,000, the default of Jackson's StreamReadConstraints (the
 * JSON parser behind AWS's Java front ends and OpenSearch's `opensearch.xcontent.depth.max`) and
 * the nesting EventBridge documents for an event's `Detail`. Real requests stay far below it
 * (DynamoDB allows 32 levels of attribute values, about 70 JSON levels).
 */
export const MAX_NESTING_DEPTH = 1000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when a JSON (or NDJSON) text nests arrays and objects deeper than `max`. Strings are
 * skipped whole (a quote preceded by an odd number of backslashes is escaped), so brackets inside
 * them do not count and a large base64 string costs one indexOf. Malformed JSON is left to the
 * service's parser.
 */
export function jsonNestingExceeds(body: Uint8Array, max = MAX_NESTING_DEPTH): boolean {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      let end = bytes.indexOf(QUOTE, i + 1);
      while (end >= 0 && escaped(bytes, end)) end = bytes.indexOf(QUOTE, end + 1);
      if (end < 0) return false;
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) {
      depth--;
    }
  }
  return false;
}

function escaped(bytes: Buffer, quote: number): boolean {
  let backslashes = 0;
  for (let k = quote - 1; k >= 0 && bytes[k] === BACKSLASH; k--) backslashes++;
  return backslashes % 2 === 1;
}

/**
 * True when a CBOR item (Smithy RPCv2 CBOR bodies) nests arrays, maps and tags deeper than `max`.
 * Walks the encoding with an explicit stack of items left per open container (-1: indefinite
 * length, closed by a break byte). Truncated input is left to the decoder.
 */
export function cborNestingExceeds(bytes: Uint8Array, max = MAX_NESTING_DEPTH): boolean {
  const open: number[] = [];
  let i = 0;
  /** One item finished: count it against its container, closing containers that are full. */
  const finished = () => {
    while (open.length > 0) {
      const left = open[open.length - 1]!;
      if (left < 0) return;
      if (left > 1) {
        open[open.length - 1] = left - 1;
        return;
      }
      open.pop();
    }
  };
  const argument = (info: number): number | undefined => {
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0 || i + size > bytes.length) return undefined;
    let value = 0;
    for (let k = 0; k < size; k++) value = value * 256 + bytes[i + k]!;
    i += size;
    return value;
  };
  while (i < bytes.length) {
    const initial = bytes[i++]!;
    if (initial === 0xff) {
      if (open.length === 0 || open[open.length - 1]! >= 0) return false;
      open.pop();
      finished();
      continue;
    }
    const major = initial >> 5;
    const info = initial & 31;
    const indefinite = info === 31 && major >= 2 && major <= 5;
    const value = indefinite ? -1 : argument(info);
    if (value === undefined) return false;
    switch (major) {
      case 2:
      case 3:
        if (indefinite) open.push(-1);
        else {
          i += value;
          finished();
        }
        break;
      case 4:
      case 5: {
        const items = indefinite ? -1 : major === 5 ? value * 2 : value;
        if (items === 0) {
          finished();
          break;
        }
        open.push(items);
        if (open.length > max) return true;
        break;
      }
      case 6:
        // A tag wraps the next item: a level of its own, finished with that item.
        open.push(1);
        if (open.length > max) return true;
        break;
      default:
        finished();
    }
  }
  return false;
}

/** True when a query-protocol parameter name (`A.member.1.B…`) has more than `max` segments. */
export function queryNestingExceeds(names: Iterable<string>, max = MAX_NESTING_DEPTH): boolean {
  for (const name of names) {
    let segments = 1;
    for (let at = name.indexOf("."); at >= 0; at = name.indexOf(".", at + 1)) {
      if (++segments > max) return true;
    }
  }
  return false;
}
