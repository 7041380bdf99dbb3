import { createReadStream, mkdtempSync, rmSync, writeFileSync, createWriteStream } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { demoRoster, generateRoster } from "../../../src/pipeline/model/index.js";
import { defineStack } from "../../../src/pipeline/stack/index.js";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import {
  describeProblem,
  importDemo,
  importRoster,
  mapHeader,
  prepareImport,
  readRoster,
  readRows,
  removeEntry,
  writeRoster,
  type ImportSource,
  type RosterFormat,
} from "../../../src/runtime/roster/index.js";
import { testStackParams } from "../../helpers/stack-params.js";

/**
 * `roster import` against the emulator's DynamoDB over HTTP with the SDK: the plan, idempotency,
 * prune, round trips through every format, and the kinds of bad file an operator hands it. Each
 * test gets its own table (a suffix), so they do not see each other's people.
 */

let emulator: Emulator;
let client: DynamoDBClient;
let dir: string;
let tables = 0;
let table: string;

beforeAll(async () => {
  emulator = await createEmulator({ port: 0, services: ["dynamodb", "dynamodbstreams"] });
  client = new DynamoDBClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  dir = mkdtempSync(join(tmpdir(), "roster-it-"));
});

afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  tables += 1;
  const stack = defineStack(testStackParams({ suffix: `-r${tables}` }));
  table = stack.table.name;
  await client.send(new CreateTableCommand(stack.table.definition));
});

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function fromFile(path: string, format?: RosterFormat): ImportSource {
  return {
    open: async () =>
      (await readRows(createReadStream(path), format, path.split("/").pop()!, mapHeader)).rows,
  };
}

async function people() {
  return (await readRoster(client, table)).entries;
}

const HEADER = "id,name,category,country,city,handle\n";

describe("roster import: plan and writes", () => {
  it("adds, then a second import changes nothing; an edit is an update with old -> new", async () => {
    const path = file(
      "two.csv",
      `${HEADER}ava,Ava Quill,actor,GB,London,ava.bsky.social\nbram,Bram Marrowby,author,CA,Toronto,\n`,
    );
    const first = await importRoster(client, table, fromFile(path));
    expect(first.plan).toMatchObject({ rows: 2, add: 2, update: 0, unchanged: 0, problems: [] });
    expect(first.written).toBe(2);
    expect((await people()).map((p) => p.id)).toStrictEqual(["ava", "bram"]);

    const again = await importRoster(client, table, fromFile(path));
    expect(again).toMatchObject({ applied: false, written: 0, plan: { add: 0, update: 0, unchanged: 2 } });

    const edited = file("edited.csv", `${HEADER}ava,Ava Quill,actor,GB,Paris,ava.bsky.social\n`);
    const update = await importRoster(client, table, fromFile(edited), { dryRun: true });
    expect(update.plan.changes).toStrictEqual([
      {
        kind: "update",
        id: "ava",
        name: "Ava Quill",
        line: 2,
        fields: [{ field: "city", from: "London", to: "Paris" }],
      },
    ]);
    expect(update.plan.remove).toBe(1);
    expect((await people()).find((p) => p.id === "ava")?.city).toBe("London");
  });

  it("--prune removes whoever the file does not list, never someone whose row is bad", async () => {
    await importDemo(client, table);
    const path = file(
      "few.csv",
      `${HEADER}001,Ava Quill,actor,GB,London,ava-quill.bsky.social\n002,Bram Marrowby,author,XX,Toronto,\n`,
    );
    const pruned = await importRoster(client, table, fromFile(path), { prune: true, skipInvalid: true });
    expect(pruned.plan).toMatchObject({ unchanged: 1, remove: 98, invalidRows: 1 });
    expect(pruned.removed).toBe(98);
    expect((await people()).map((p) => p.id)).toStrictEqual(["001", "002"]);
  });

  it("round-trips through CSV, JSON and JSONL with no change", async () => {
    const roster = generateRoster(40, { sourceIds: true }).map((p, i) => ({ ...p, active: i % 3 !== 0 }));
    await importRoster(client, table, {
      open: async () =>
        (async function* () {
          for (const [i, p] of roster.entries()) yield { line: i + 1, fields: { ...p } };
        })(),
    });
    for (const format of ["csv", "json", "jsonl"] as const) {
      const path = join(dir, `export.${format}`);
      const out = createWriteStream(path);
      for await (const chunk of writeRoster(await people(), format)) out.write(chunk);
      out.end();
      await once(out, "finish");
      const back = await importRoster(client, table, fromFile(path), { prune: true });
      expect(back.plan).toMatchObject({
        rows: 40,
        add: 0,
        update: 0,
        unchanged: 40,
        remove: 0,
        problems: [],
      });
    }
  });

  it("streams a 100,000-row CSV: every row checked, the plan made", async () => {
    const path = join(dir, "big.csv");
    const out = createWriteStream(path);
    for await (const chunk of writeRoster(generateRoster(100_000), "csv")) {
      if (!out.write(chunk)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
    const prepared = await prepareImport(client, table, fromFile(path), { sampleSize: 5 });
    expect(prepared.plan).toMatchObject({ rows: 100_000, add: 100_000, problems: [] });
    expect(prepared.plan.changes).toHaveLength(5);
  }, 120_000);

  it("writes thousands of rows in batches, retrying what DynamoDB leaves unprocessed", async () => {
    const path = join(dir, "thousands.csv");
    const out = createWriteStream(path);
    for await (const chunk of writeRoster(generateRoster(3000), "csv")) out.write(chunk);
    out.end();
    await once(out, "finish");
    const progress: number[] = [];
    const result = await importRoster(client, table, fromFile(path), {
      onProgress: (done) => progress.push(done),
    });
    expect(result.written).toBe(3000);
    expect(progress.at(-1)).toBe(3000);
    expect(await people()).toHaveLength(3000);
  }, 120_000);
});

describe("roster import: bad files and bad rows", () => {
  async function problemsOf(content: string | Buffer, name = "bad.csv"): Promise<string[]> {
    const before = (await people()).length;
    try {
      const result = await importRoster(client, table, fromFile(file(name, content)));
      expect(result.written).toBe(0);
      return result.plan.problems.map(describeProblem);
    } finally {
      expect((await people()).length).toBe(before);
    }
  }

  it("bad CSV quoting", async () => {
    expect(await problemsOf(`${HEADER}a,Ava "The" Quill,actor,GB,London,\n`)).toStrictEqual([
      expect.stringMatching(/^line 2: bad quoting/),
    ]);
  });

  it("a missing header row", async () => {
    await expect(problemsOf("ava,Ava Quill,actor,GB,London\n")).rejects.toThrow(
      /line 1 \(header\): .*missing column/,
    );
  });

  it("an unknown column", async () => {
    await expect(problemsOf("name,category,country,city,agent\nA,actor,GB,London,x\n")).rejects.toThrow(
      /unknown column "agent" \(allowed: id, name/,
    );
  });

  it("an empty name, a bad country code, a bad handle", async () => {
    expect(
      await problemsOf(
        `${HEADER}a,,actor,GB,London,\nb,Bo B,actor,UK,London,\nc,Cy C,actor,GB,London,not a handle\n`,
      ),
    ).toStrictEqual([
      'line 2: name = "": a name must not be empty',
      'line 3: country = "UK": country must be an ISO 3166-1 alpha-2 code like GB, US or JP',
      'line 4: handle = "not a handle": handle must be a Bluesky handle like name.bsky.social (a domain name, no @)',
    ]);
  });

  it("the same id twice, and the same handle twice, naming both lines", async () => {
    const problems = await problemsOf(
      `${HEADER}a,Ava Quill,actor,GB,London,\nb,Bo B,actor,GB,London,x.bsky.social\na,Ava Again,actor,GB,London,\nc,Cy C,actor,GB,London,x.bsky.social\n`,
    );
    expect(problems).toStrictEqual([
      expect.stringMatching(/^line 4: id = "a": the same id as line 2/),
      expect.stringMatching(/^line 5: handle = "x.bsky.social": the same Bluesky handle as line 3 \(b\)/),
    ]);
  });

  it("a handle already another celebrity's, in the roster or on their scraped items (GSI2)", async () => {
    await importDemo(client, table);
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: marshall({ pk: "CELEB#gone", sk: "SOURCE#social", gsi2pk: "SOCIAL#old.bsky.social" }),
      }),
    );
    const problems = await problemsOf(
      `${HEADER}new,New Person,actor,GB,London,ava-quill.bsky.social\nnew2,Other One,actor,GB,London,old.bsky.social\n`,
    );
    expect(problems).toStrictEqual([
      expect.stringMatching(
        /^line 2: handle = "ava-quill.bsky.social": already the Bluesky handle of celebrity 001 \(Ava Quill\)/,
      ),
      expect.stringMatching(
        /^line 3: handle = "old.bsky.social": already the Bluesky handle of celebrity gone/,
      ),
    ]);
    // Moving a handle between two people in one file is not a conflict.
    const swap = file(
      "swap.csv",
      `${HEADER}001,Ava Quill,actor,GB,London,ava-2.bsky.social\nnew,New Person,actor,GB,London,ava-quill.bsky.social\n`,
    );
    expect((await importRoster(client, table, fromFile(swap), { dryRun: true })).plan.problems).toStrictEqual(
      [],
    );
  });

  it("binary garbage, an empty file, a BOM", async () => {
    await expect(problemsOf(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00]), "people.csv")).rejects.toThrow(
      /not a text file/,
    );
    await expect(problemsOf("", "empty.csv")).rejects.toThrow(/empty.csv is empty/);
    const bom = await importRoster(
      client,
      table,
      fromFile(file("bom.csv", `\uFEFF${HEADER}a,Ava Quill,actor,GB,London,\n`)),
    );
    expect(bom.written).toBe(1);
  });

  it("--skip-invalid writes the good rows and lists the rest", async () => {
    const result = await importRoster(
      client,
      table,
      fromFile(
        file(
          "mixed.jsonl",
          '{"name":"Good One","category":"actor","country":"GB","city":"London"}\n{"name":"Bad","category":"actor","country":"ZZ","city":"X"}\n',
        ),
      ),
      { skipInvalid: true },
    );
    expect(result.written).toBe(1);
    expect(result.plan.problems.map(describeProblem)).toStrictEqual([
      'line 2: country = "ZZ": country must be an ISO 3166-1 alpha-2 code like GB, US or JP',
    ]);
    expect((await people()).map((p) => p.id)).toStrictEqual(["good-one"]);
  });
});

describe("roster remove", () => {
  it("refuses an unknown id, suggesting near ones", async () => {
    await importDemo(client, table);
    await expect(removeEntry(client, table, "ava-quil")).rejects.toThrow(/nobody with id "ava-quil"/);
    await expect(removeEntry(client, table, "00")).rejects.toThrow(/did you mean 001, 002, 003/);
    expect(demoRoster()).toHaveLength(100);
  });
});
