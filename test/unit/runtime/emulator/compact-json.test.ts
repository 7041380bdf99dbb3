import { describe, expect, it } from "vitest";
import { compactJson, parseCompactJson } from "../../../../src/runtime/emulator/core/compact-json.js";

describe("compact JSON", () => {
  it("keeps ASCII text as a string and returns an equal, fresh value", () => {
    const value = { S: "Ada Lovelace", n: 1, list: [{ M: { tab: "a\tb" } }] };
    const json = compactJson(value);
    expect(typeof json).toBe("string");
    const back = parseCompactJson<typeof value>(json);
    expect(back).toEqual(value);
    back.n = 2;
    expect(parseCompactJson<typeof value>(json).n).toBe(1);
  });

  it("keeps other text as UTF-8 bytes of its own (no slice of the shared pool)", () => {
    const value = { city: "São Paulo", post: "new film ✨💛" };
    const json = compactJson(value);
    expect(Buffer.isBuffer(json)).toBe(true);
    const bytes = json as Buffer;
    expect(bytes.byteLength).toBe(Buffer.byteLength(JSON.stringify(value), "utf8"));
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    expect(parseCompactJson(json)).toEqual(value);
  });
});
