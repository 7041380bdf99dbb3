import { describe, expect, it } from "vitest";
import {
  ChangeList,
  decideAction,
  declaredSubsetEqual,
  normalise,
  sameValue,
} from "../../../../src/runtime/deploy/compare.js";

describe("deploy comparison", () => {
  it("treats policy documents as equal whatever their encoding, key order or single-element arrays", () => {
    const declared = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sqs:SendMessage"] }] };
    const fromIam = encodeURIComponent(
      JSON.stringify({ Statement: [{ Action: "sqs:SendMessage", Effect: "Allow" }], Version: "2012-10-17" }),
    );
    expect(sameValue(fromIam, declared)).toBe(true);
    expect(sameValue(JSON.stringify(declared), declared)).toBe(true);
    expect(sameValue(declared, { ...declared, Version: "2008-10-17" })).toBe(false);
  });

  it("drops undefined values and empty objects, keeps plain strings that are not JSON", () => {
    expect(normalise({ b: undefined, a: {}, c: "text" })).toEqual({ c: "text" });
    expect(normalise("{not json")).toBe("{not json");
  });

  it("a declared subset ignores defaults AWS adds but not differing declared values", () => {
    const declared = [{ Id: "m1", MetricStat: { Stat: "Sum" } }];
    expect(
      declaredSubsetEqual(declared, [
        { Id: "m1", ReturnData: true, MetricStat: { Stat: "Sum", Unit: "Count" } },
      ]),
    ).toBe(true);
    expect(declaredSubsetEqual(declared, [{ Id: "m1", MetricStat: { Stat: "Average" } }])).toBe(false);
    expect(declaredSubsetEqual(declared, [])).toBe(false);
  });

  it("records each differing field with its old and new value and decides the action", () => {
    const changes = new ChangeList();
    expect(changes.compare("Timeout", 60, 60)).toBe(false);
    expect(changes.compare("MemorySize", 128, 256)).toBe(true);
    expect(changes.compare("KeySchema", ["a"], ["b"], { replaceRequired: true })).toBe(true);
    expect(changes.changes).toEqual([
      { field: "MemorySize", before: 128, after: 256 },
      { field: "KeySchema", before: ["a"], after: ["b"], replaceRequired: true },
    ]);
    expect(changes.updatable.map((change) => change.field)).toEqual(["MemorySize"]);
    expect(decideAction(false, [])).toBe("create");
    expect(decideAction(true, [])).toBe("no-change");
    expect(decideAction(true, changes.updatable)).toBe("update");
    expect(decideAction(true, changes.changes)).toBe("replace-required");
  });

  it("masks what the display function masks", () => {
    const changes = new ChangeList();
    changes.compare("Environment", { KEY: "old" }, { KEY: "new" }, { display: () => "(masked)" });
    expect(changes.changes[0]).toEqual({ field: "Environment", before: "(masked)", after: "(masked)" });
  });
});
