/**
 * Execution environments of one function, over the emulator's clock: a warm invocation takes the
 * environment that ran last; an environment the function's invocations pass over for a minute (the
 * load is served by the others) is stopped; one idle because nothing calls the function stays.
 */
import {
  GetFunctionCommand,
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import AdmZip from "adm-zip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { isProcessAlive } from "../../../src/runtime/emulator-process/index.js";
import { createRole, waitFor } from "../../helpers/crash-clients.js";

const ROLE = "arn:aws:iam::000000000000:role/lambda-environments";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const HANDLER = `
export const handler = async (event) => {
  if (event.holdMs) await new Promise((resolve) => setTimeout(resolve, event.holdMs));
  return { pid: process.pid };
};
`;

function zipOf(files: Record<string, string>): Buffer {
  const zip = new AdmZip();
  for (const [name, content] of Object.entries(files)) zip.addFile(name, Buffer.from(content));
  return zip.toBuffer();
}

describe("lambda execution environments", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let lambda: LambdaClient;

  beforeAll(async () => {
    clock = new ManualClock();
    emulator = await createEmulator({ clock, services: ["sts", "iam", "logs", "lambda"] });
    lambda = new LambdaClient({ endpoint: emulator.url, region: "us-east-1", credentials });
    expect(await createRole(emulator.url, "lambda-environments")).toBe(ROLE);
  });

  afterAll(async () => {
    lambda.destroy();
    await emulator.stop();
  });

  const environments = (): { busy: number; idle: number } => {
    const detail = emulator.health().details["lambda"] ?? "";
    const match = /(\d+) busy and (\d+) idle execution environments/.exec(detail);
    if (!match) throw new Error(`Unexpected lambda health detail: ${detail}`);
    return { busy: Number(match[1]), idle: Number(match[2]) };
  };

  async function fn(name: string): Promise<void> {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: ROLE,
        Timeout: 30,
        Code: { ZipFile: zipOf({ "index.mjs": HANDLER }) },
      }),
    );
    await clock.advance(1_000);
    const state = (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration?.State;
    expect(state).toBe("Active");
  }

  async function invoke(name: string, holdMs = 0): Promise<number> {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ holdMs }) }),
    );
    expect(out.FunctionError).toBeUndefined();
    return (JSON.parse(Buffer.from(out.Payload!).toString("utf8")) as { pid: number }).pid;
  }

  /** Two environments of the function, both idle: two invocations that overlap. */
  async function twoEnvironments(name: string): Promise<[number, number]> {
    const [a, b] = await Promise.all([invoke(name, 400), invoke(name, 400)]);
    expect(a).not.toBe(b);
    await waitFor(() => environments().busy === 0, "both environments idle");
    return [a, b];
  }

  it("an environment passed over for a minute while the others serve is stopped; the one serving stays", async () => {
    await fn("passed-over");
    const [a, b] = await twoEnvironments("passed-over");
    const serving = await invoke("passed-over");
    expect([a, b]).toContain(serving);
    const spare = serving === a ? b : a;

    await clock.advance(59_000);
    expect(await invoke("passed-over")).toBe(serving);
    expect(isProcessAlive(spare)).toBe(true);

    await clock.advance(2_000);
    expect(await invoke("passed-over")).toBe(serving);
    await waitFor(() => !isProcessAlive(spare), "the passed-over environment stopped");
    expect(isProcessAlive(serving)).toBe(true);
    expect(environments()).toEqual({ busy: 0, idle: 1 });
  });

  it("environments idle because nothing calls the function stay warm past that minute", async () => {
    await fn("quiet");
    const [a, b] = await twoEnvironments("quiet");
    await clock.advance(5 * 60_000);
    expect(isProcessAlive(a) && isProcessAlive(b)).toBe(true);
    expect(environments().idle).toBeGreaterThanOrEqual(2);
    // The next call takes the one that ran last; the other has been idle for over a minute.
    const serving = await invoke("quiet");
    expect([a, b]).toContain(serving);
    await waitFor(() => !isProcessAlive(serving === a ? b : a), "the other environment stopped");
  });
});
