/**
 * The AWS regions, by partition, as the AWS SDK's partition data lists them (a unit test compares
 * this list with the installed SDK's, so an SDK update that adds a region fails the test until the
 * region is added here). A region outside the list (a typo such as us-eats-1) is refused when the
 * configuration is read, on every target: on the emulator and LocalStack it would quietly make an
 * empty, separate account-region; on AWS every call would fail to resolve.
 */
export const AWS_REGIONS = [
  // aws
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "me-west-1",
  "mx-central-1",
  "sa-east-1",
  "sa-west-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  // aws-cn
  "cn-north-1",
  "cn-northwest-1",
  // aws-eusc
  "eusc-de-east-1",
  // aws-iso, aws-iso-b, aws-iso-e, aws-iso-f
  "us-iso-east-1",
  "us-iso-west-1",
  "us-isob-east-1",
  "us-isob-west-1",
  "eu-isoe-west-1",
  "us-isof-east-1",
  "us-isof-south-1",
  // aws-us-gov
  "us-gov-east-1",
  "us-gov-west-1",
] as const;

const KNOWN = new Set<string>(AWS_REGIONS);

export function isAwsRegion(value: string): boolean {
  return KNOWN.has(value);
}

/** The closest regions to a mistyped one (edit distance ≤ 2), for "did you mean". */
export function closestRegions(value: string): string[] {
  const scored = AWS_REGIONS.map((region) => [region, distance(value, region)] as const)
    .filter(([, d]) => d <= 2)
    .sort((a, b) => a[1] - b[1]);
  return scored.slice(0, 3).map(([region]) => region);
}

/** The "allowed" text of a refused region: suggestions first, then the whole list. */
export function regionAllowed(value: string): string {
  const close = typeof value === "string" ? closestRegions(value) : [];
  return (
    `not an AWS region${close.length ? ` (did you mean ${close.join(" or ")}?)` : ""}; ` +
    `regions: ${AWS_REGIONS.join(", ")}`
  );
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      // Transposed neighbours (eats / east) count as one edit.
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
