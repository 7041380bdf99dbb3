import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { enablementGate, recordPass, verificationRecordPath } from "../../../../src/runtime/records/index.js";

const at = { target: "local", account: "000000000000", region: "us-east-1" };
const now = new Date("2026-11-23T10:00:00Z");

function pass(phase: "phase-4a" | "phase-4b" | "phase-4c", passedAt: string, suffix = "") {
  return { phase, ...at, suffix, passedAt };
}

describe("verification record", () => {
  it("gate: refuses with nothing recorded and names the missing phases", () => {
    const dir = mkdtempSync(join(tmpdir(), "records-"));
    expect(enablementGate(dir, at, now)).toMatchObject({
      ok: false,
      missing: ["phase-4a", "phase-4b", "phase-4c"],
    });
  });

  it("gate: opens once 4A and 4B passed on the real stack and 4C on the test copy", () => {
    const dir = mkdtempSync(join(tmpdir(), "records-"));
    recordPass(dir, pass("phase-4a", "2026-11-23T09:00:00Z"));
    recordPass(dir, pass("phase-4b", "2026-11-23T09:01:00Z"));
    recordPass(dir, pass("phase-4c", "2026-11-23T09:02:00Z", "-test"));
    expect(enablementGate(dir, at, now).ok).toBe(true);
  });

  it("gate: old passes, other accounts and a 4A on the test copy do not count", () => {
    const dir = mkdtempSync(join(tmpdir(), "records-"));
    recordPass(dir, pass("phase-4a", "2026-11-01T09:00:00Z"));
    recordPass(dir, { ...pass("phase-4b", "2026-11-23T09:01:00Z"), account: "111111111111" });
    recordPass(dir, pass("phase-4c", "2026-11-23T09:02:00Z", "-test"));
    recordPass(dir, pass("phase-4a", "2026-11-23T09:03:00Z", "-test"));
    expect(enablementGate(dir, at, now).missing).toEqual(["phase-4a", "phase-4b"]);
  });

  it("record: a damaged file counts as no passes", () => {
    const dir = mkdtempSync(join(tmpdir(), "records-"));
    writeFileSync(verificationRecordPath(dir), "{not json");
    expect(enablementGate(dir, at, now).ok).toBe(false);
  });
});
