import { describe, expect, it } from "vitest";
import { STATE_TRANSITION_MS } from "../../../../src/runtime/emulator/services/lambda/limits.js";
import type {
  FunctionRecord,
  VersionRecord,
} from "../../../../src/runtime/emulator/services/lambda/models.js";
import {
  resolveTarget,
  routedVersion,
  sameConfig,
  versionConfigOf,
  versionView,
} from "../../../../src/runtime/emulator/services/lambda/versions.js";

/** The pure parts of versions and aliases: snapshots, their state, and the weighted choice. */

const T0 = Date.UTC(2026, 0, 4);

const fn: FunctionRecord = {
  accountId: "000000000000",
  region: "us-east-1",
  name: "f",
  runtime: "nodejs22.x",
  role: "arn:aws:iam::000000000000:role/r",
  handler: "index.handler",
  description: "latest",
  timeout: 3,
  memorySize: 128,
  environment: { STAGE: "latest" },
  codeSha256: "latest-sha",
  codeSize: 10,
  lastModified: T0,
  revisionId: "rev-latest",
  state: "Active",
  lastUpdateStatus: "InProgress",
  lastUpdateStatusReason: "The function is being created.",
  tags: {},
  policy: [],
  logGroup: "/aws/lambda/f",
  architectures: ["x86_64"],
  tracingMode: "Active",
  generation: "gen-latest",
};

const v1: VersionRecord = {
  version: "1",
  description: "first",
  lastModified: T0,
  revisionId: "rev-1",
  generation: "gen-1",
  config: { ...versionConfigOf(fn), environment: { STAGE: "one" }, codeSha256: "sha-1", memorySize: 256 },
};
delete v1.config.tracingMode;

describe("lambda versions", () => {
  it("versionConfigOf copies what a version freezes; sameConfig ignores key order and absent fields", () => {
    const config = versionConfigOf(fn);
    expect(config).toMatchObject({
      codeSha256: "latest-sha",
      environment: { STAGE: "latest" },
      tracingMode: "Active",
    });
    config.environment["STAGE"] = "changed";
    expect(fn.environment["STAGE"]).toBe("latest");
    const reordered = Object.fromEntries(Object.entries(versionConfigOf(fn)).reverse());
    expect(sameConfig(versionConfigOf(fn), reordered as ReturnType<typeof versionConfigOf>)).toBe(true);
    expect(sameConfig(versionConfigOf(fn), { ...versionConfigOf(fn), memorySize: 129 })).toBe(false);
  });

  it("versionView: the version's fields over the function's, Pending while new, never an update status reason", () => {
    const fresh = versionView(fn, v1, T0 + STATE_TRANSITION_MS - 1);
    expect(fresh).toMatchObject({
      state: "Pending",
      stateReasonCode: "Creating",
      codeSha256: "sha-1",
      memorySize: 256,
      environment: { STAGE: "one" },
      description: "first",
      revisionId: "rev-1",
      generation: "gen-1",
    });
    expect(fresh.tracingMode).toBeUndefined();
    expect(fresh.lastUpdateStatusReason).toBeUndefined();
    const settled = versionView(fn, v1, T0 + STATE_TRANSITION_MS);
    expect(settled.state).toBe("Active");
    expect(settled.stateReasonCode).toBeUndefined();
  });

  it("versionView: a version of a runtime the emulator cannot run settles Failed, as $LATEST does", () => {
    const python: VersionRecord = { ...v1, config: { ...v1.config, runtime: "python3.13" } };
    const view = versionView(fn, python, T0 + STATE_TRANSITION_MS);
    expect(view).toMatchObject({ state: "Failed", stateReasonCode: "InvalidRuntime" });
    expect(view.stateReason).toContain("python3.13");
  });

  it("routedVersion: the additional version below its weight, the primary above", () => {
    const alias = {
      name: "a",
      functionVersion: "2",
      description: "",
      revisionId: "r",
      weights: { "1": 0.25 },
    };
    expect(routedVersion(alias, 0)).toBe("1");
    expect(routedVersion(alias, 0.2499)).toBe("1");
    expect(routedVersion(alias, 0.25)).toBe("2");
    expect(routedVersion({ ...alias, weights: { "1": 0 } }, 0)).toBe("2");
    expect(routedVersion({ ...alias, weights: { "1": 1 } }, 0.9999)).toBe("1");
    const { weights: _none, ...plain } = alias;
    expect(routedVersion(plain, 0)).toBe("2");
  });

  it("resolveTarget: $LATEST, a version, an alias to a version, and unknown qualifiers", () => {
    const withVersions: FunctionRecord = {
      ...fn,
      versions: [v1],
      aliases: [
        { name: "live", functionVersion: "1", description: "", revisionId: "r" },
        { name: "head", functionVersion: "$LATEST", description: "", revisionId: "r" },
      ],
    };
    const now = T0 + 60_000;
    expect(resolveTarget(withVersions, undefined, now, () => 0)).toMatchObject({ version: "$LATEST" });
    expect(resolveTarget(withVersions, "1", now, () => 0)).toMatchObject({
      version: "1",
      fn: { codeSha256: "sha-1" },
    });
    expect(resolveTarget(withVersions, "live", now, () => 0)).toMatchObject({ version: "1" });
    expect(resolveTarget(withVersions, "head", now, () => 0)).toMatchObject({
      version: "$LATEST",
      fn: { codeSha256: "latest-sha" },
    });
    expect(resolveTarget(withVersions, "2", now, () => 0)).toBeUndefined();
    expect(resolveTarget(withVersions, "nope", now, () => 0)).toBeUndefined();
  });
});
