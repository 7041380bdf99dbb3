import { SOURCES } from "../../pipeline/model/sources.js";
import type { PipelineConfig } from "./schema.js";

/** A valid configuration that will still not work end to end; `config validate` reports these. */
export interface ConfigWarning {
  key: string;
  message: string;
}

export function configWarnings(config: PipelineConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  // A key in the configuration serves in-process runs only: deploy refuses to put it into a
  // function environment. Deployed scrapers read theirs from SSM (pipeline secrets set).
  for (const source of SOURCES) {
    if (!config.sources[source].apiKey) continue;
    warnings.push({
      key: `sources.${source}.apiKey`,
      message:
        `set: it serves in-process runs (pipeline run --stage) only, and deploy refuses it; ` +
        `deployed scrapers read the key from SSM: store it with pipeline secrets set ${source}`,
    });
  }
  if (config.target === "aws") {
    if (!config.opensearch.endpoint) {
      warnings.push({
        key: "opensearch.endpoint",
        message:
          "not set: index-sync has no OpenSearch domain to write to; set PIPELINE_OPENSEARCH_ENDPOINT or opensearch.endpoint",
      });
    }
    if (!config.account) {
      warnings.push({
        key: "account",
        message:
          "not set: commands act on whichever account the credentials belong to; set PIPELINE_ACCOUNT or account to guard against the wrong one",
      });
    }
  }
  if (
    config.target === "local" &&
    config.endpoint &&
    !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(config.endpoint)
  ) {
    warnings.push({
      key: "endpoint",
      message: `${config.endpoint} is not on this machine: the CLI can only start the embedded emulator on 127.0.0.1`,
    });
  }
  return warnings;
}
