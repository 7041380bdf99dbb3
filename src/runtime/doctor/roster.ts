import type { Stack } from "../../pipeline/stack/index.js";
import type { AwsClients } from "../aws/index.js";
import type { Finding } from "./findings.js";

const IMPORT_FIX = "pipeline roster import FILE (or pipeline roster import --demo for invented people)";
const EXAMPLES = 5;

/**
 * Whom the stack scrapes: an empty roster (or nobody active) leaves every run with nothing to do,
 * and people without any per-source id are found by a name search on every source, which picks
 * the wrong person for a common name. A table that does not exist is the drift check's finding.
 */
export async function rosterFindings(clients: AwsClients, stack: Stack): Promise<Finding[]> {
  const { scanRoster } = await import("../../pipeline/stages/roster-table.js");
  let scan: Awaited<ReturnType<typeof scanRoster>>;
  try {
    scan = await scanRoster(await clients.dynamodb(), stack.table.name);
  } catch (error) {
    if ((error as Error).name === "ResourceNotFoundException") return [];
    throw error;
  }
  const resource = { kind: "table" as const, name: stack.table.name };
  const active = scan.entries.filter((entry) => entry.active);
  const findings: Finding[] = [];
  if (scan.entries.length === 0) {
    findings.push({
      severity: "warning",
      code: "roster-empty",
      resource,
      message: "the roster is empty: the scrapers have nobody to follow, and every run will fail",
      fix: IMPORT_FIX,
    });
  } else if (active.length === 0) {
    findings.push({
      severity: "warning",
      code: "roster-none-active",
      resource,
      message: `none of the ${scan.entries.length} people of the roster is active: every run will fail`,
      fix: "set active=true for the people to follow and import the file again (pipeline roster import)",
    });
  }
  const byName = active.filter(
    (entry) =>
      entry.tmdbId === undefined &&
      entry.wikipediaTitle === undefined &&
      entry.handle === undefined &&
      entry.newsQuery === undefined,
  );
  if (byName.length > 0) {
    const some = byName
      .slice(0, EXAMPLES)
      .map((entry) => entry.id)
      .join(", ");
    findings.push({
      severity: "warning",
      code: "roster-name-search-only",
      resource,
      message:
        `${byName.length} of ${active.length} active people have no per-source id and rely on a name search on every source ` +
        `(${some}${byName.length > EXAMPLES ? ", ..." : ""}): a common name may be scraped as someone else`,
      fix: "add tmdbId, wikipediaTitle, handle or newsQuery to their rows and import the file again (pipeline roster import)",
    });
  }
  if (scan.invalid > 0) {
    findings.push({
      severity: "warning",
      code: "roster-invalid-records",
      resource,
      message: `${scan.invalid} roster record(s) lack a name, category, country or city and are not followed`,
      fix: "export the roster, fix those rows and import it again (pipeline roster export, pipeline roster import)",
    });
  }
  return findings;
}
