import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AWS_REGIONS,
  closestRegions,
  isAwsRegion,
  regionAllowed,
} from "../../../../src/runtime/config/regions.js";

/** The regions of the installed AWS SDK's partition data (what its endpoint resolution knows). */
function sdkRegions(): string[] {
  const require = createRequire(import.meta.url);
  const core = dirname(require.resolve("@aws-sdk/core/package.json"));
  const text = readFileSync(
    join(core, "dist-es/submodules/client/util-endpoints/lib/aws/partitions.js"),
    "utf8",
  );
  const json = text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1);
  const info = JSON.parse(json) as { partitions: { regions: Record<string, unknown> }[] };
  return info.partitions.flatMap((partition) =>
    Object.keys(partition.regions).filter((region) => !region.endsWith("-global")),
  );
}

describe("AWS regions", () => {
  it("are the regions of the installed SDK's partition data, no more, no fewer", () => {
    expect([...AWS_REGIONS].sort()).toEqual(sdkRegions().sort());
  });

  it("a typo is refused with the region it probably meant", () => {
    expect(isAwsRegion("us-east-1")).toBe(true);
    expect(isAwsRegion("us-eats-1")).toBe(false);
    expect(closestRegions("us-eats-1")).toEqual(["us-east-1"]);
    expect(regionAllowed("eu-wset-1")).toMatch(
      /^not an AWS region \(did you mean eu-west-1\?\); regions: af-south-1, /,
    );
    expect(regionAllowed("mars-1")).toMatch(/^not an AWS region; regions: /);
  });
});
