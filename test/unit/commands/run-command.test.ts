import { describe, expect, it } from "vitest";
import { SOURCE_NAMES, STAGES } from "../../../src/commands/run/index.js";
import { SOURCES } from "../../../src/pipeline/model/sources.js";
import { RUN_STAGES } from "../../../src/runtime/invoke/run.js";

describe("pipeline run declaration", () => {
  it("offers the engine's stages and the model's sources (the declaration imports neither, to stay light)", () => {
    expect([...STAGES]).toEqual([...RUN_STAGES]);
    expect([...SOURCE_NAMES]).toEqual([...SOURCES]);
  });
});
