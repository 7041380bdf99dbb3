import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  RosterFileError,
  mapHeader,
  readRows,
  validateRow,
  type RawRow,
} from "../../../../src/runtime/roster/index.js";
import { elementLines } from "../../../../src/runtime/roster/rows.js";

async function rowsOf(text: string | Buffer, format?: "csv" | "json" | "jsonl"): Promise<RawRow[]> {
  const { rows } = await readRows(Readable.from([text]), format, "people.csv", mapHeader);
  const out: RawRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe("readRows: CSV", () => {
  it("reads a header row, a BOM, CRLF and quoted values, with the line each row starts on", async () => {
    const rows = await rowsOf(
      '\uFEFFName,Category,Country,City\r\n"Quill, Ava",actor,GB,"London\r\nEast"\r\nBram,author,CA,Toronto\r\n',
    );
    expect(rows).toStrictEqual([
      { line: 2, fields: { name: "Quill, Ava", category: "actor", country: "GB", city: "London\nEast" } },
      { line: 4, fields: { name: "Bram", category: "author", country: "CA", city: "Toronto" } },
    ]);
  });

  it("accepts aliases and column names in any case and spelling", () => {
    const { columns, problems } = mapHeader([
      "NAME",
      "category",
      "country_code",
      "city",
      "tmdb_id",
      "Bluesky Handle",
      "addedAt",
    ]);
    expect(problems).toStrictEqual([]);
    expect(columns.slice(0, 6)).toStrictEqual(["name", "category", "country", "city", "tmdbId", "handle"]);
  });

  it("stops at a bad header: an unknown column or a missing one, naming what is allowed", async () => {
    await expect(rowsOf("name,category,country,city,shoe size\nA,actor,GB,London,9\n")).rejects.toThrow(
      /line 1 \(header\): unknown column "shoe size" \(allowed: id, name, category/,
    );
    await expect(rowsOf("Ava Quill,actor,GB,London\n")).rejects.toThrow(
      /missing columns name, category, country, city \(the first line must be a header row/,
    );
  });

  it("reports a row with bad quoting or too many fields by line and reads on", async () => {
    const rows = await rowsOf(
      'name,category,country,city\nA "x" B,actor,GB,London\nC,actor,GB,London,extra\nD,actor,GB,Paris\n',
    );
    expect(rows.map((row) => [row.line, row.problem?.slice(0, 24) ?? row.fields?.name])).toStrictEqual([
      [2, "bad quoting: a value wit"],
      [3, "wrong number of fields f"],
      [4, "D"],
    ]);
  });

  it("refuses an empty file, a blank one and binary content", async () => {
    await expect(rowsOf("")).rejects.toThrow(/people.csv is empty/);
    await expect(rowsOf("  \n\n")).rejects.toThrow(/is empty/);
    await expect(rowsOf(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x14]))).rejects.toThrow(
      /not a text file \(it holds NUL bytes\)/,
    );
    await expect(rowsOf(Buffer.from([0x6e, 0x61, 0xff, 0xfe, 0x6d, 0x65]))).rejects.toThrow(/not UTF-8 text/);
    await expect(rowsOf("")).rejects.toBeInstanceOf(RosterFileError);
  });
});

describe("readRows: JSON and JSONL", () => {
  it("tells the format from the content and gives each element its line", async () => {
    const json =
      '[\n  {"name": "A", "category": "actor", "country": "GB", "city": "London"},\n  {"name": "B",\n   "category": "chef", "country": "FR", "city": "Lyon"}\n]\n';
    expect((await rowsOf(json)).map((row) => row.line)).toStrictEqual([2, 3]);
    const jsonl = '{"name":"A","category":"actor","country":"GB","city":"London"}\n\nnot json\n[1]\n';
    expect((await rowsOf(jsonl)).map((row) => [row.line, row.problem?.slice(0, 14)])).toStrictEqual([
      [1, undefined],
      [3, "not valid JSON"],
      [4, "expected a JSO"],
    ]);
    await expect(rowsOf("[1, 2", "json")).rejects.toThrow(/not valid JSON/);
    await expect(rowsOf('{"a": 1}', "json")).rejects.toThrow(/expected a JSON array/);
  });

  it("elementLines skips brackets and commas inside strings", () => {
    expect(elementLines('[\n{"a": "x, [y]"},\n\n"s",\n{"b": {"c": [1,\n2]}}]')).toStrictEqual([2, 4, 5]);
  });
});

describe("validateRow", () => {
  it("turns text into the field's type and makes the id from the name", () => {
    const { entry } = validateRow({
      line: 5,
      fields: {
        name: " Zoë Example ",
        category: "Actor",
        country: "fr",
        city: "Lyon",
        tmdbId: "42",
        active: "no",
        handle: "",
      },
    });
    expect(entry).toStrictEqual({
      id: "zoe-example",
      name: "Zoë Example",
      category: "actor",
      country: "FR",
      city: "Lyon",
      tmdbId: 42,
      active: false,
    });
  });

  it("names the line, field, value and what is allowed, for every problem of the row", () => {
    const { problems } = validateRow({
      line: 7,
      fields: {
        name: "",
        category: "Film Star!",
        country: "XX",
        city: "Rome",
        tmdbId: "abc",
        active: "maybe",
        shoe: 9,
      },
    });
    expect(problems.map((p) => [p.line, p.field, p.value])).toEqual(
      expect.arrayContaining([
        [7, "shoe", 9],
        [7, "name", ""],
        [7, "category", "Film Star!"],
        [7, "country", "XX"],
        [7, "tmdbId", "abc"],
        [7, "active", "maybe"],
      ]),
    );
    expect(problems.find((p) => p.field === "country")?.message).toMatch(/ISO 3166-1 alpha-2/);
    expect(problems.find((p) => p.field === "shoe")?.message).toMatch(/unknown field \(allowed: id, name/);
  });
});
