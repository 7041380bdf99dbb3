import type { ResourceKind, ResourceRef, Stack } from "../../pipeline/stack/index.js";
import type { AwsClients } from "../aws/index.js";
import type { LambdaBundle } from "./bundle.js";
import type { Client as OpenSearchClient } from "@opensearch-project/opensearch";
import type { DeployAction, FieldChange } from "./types.js";

/** The search domain's endpoint and a client for it (SigV4-signed for Amazon OpenSearch Service hosts). */
export interface OpenSearchAccess {
  endpoint: string;
  client: OpenSearchClient;
}

/** What a resource driver works with. */
export interface DriverContext {
  clients: AwsClients;
  stack: Stack;
  /** Bundled handler code by bundleKey(entry); only deploys need it. */
  bundles: ReadonlyMap<string, LambdaBundle>;
  /** Undefined when no OpenSearch endpoint is configured: the index is skipped. */
  opensearch: OpenSearchAccess | undefined;
  /** Reports a step (waiting, a retry) to the caller's progress display. */
  step(message: string): void;
  /** Aborted on Ctrl-C: a driver's own waits (not an AWS call in flight) end at once. */
  signal?: AbortSignal;
}

/** One call (or call and wait) that moves a resource toward its declaration. */
export interface Operation {
  name: string;
  run(): Promise<void>;
}

/** A resource compared with its declaration: what differs, and the calls that would fix it. */
export interface Assessment {
  action: DeployAction;
  changes: FieldChange[];
  notes: string[];
  ops: Operation[];
}

export type DestroyOutcome = "deleted" | "absent";

export interface ResourceDriver {
  kind: ResourceKind;
  /** Reads the live resource (read-only calls) and compares it with the declaration. */
  assess(ctx: DriverContext, ref: ResourceRef): Promise<Assessment>;
  /** Deletes the resource; a missing resource is "absent", not an error. */
  destroy(ctx: DriverContext, ref: ResourceRef): Promise<DestroyOutcome>;
}

/** Looks a declaration up by the name resourceOrder gives it; a miss is a bug in the stack. */
export function declarationOf<T>(
  items: Iterable<T>,
  name: string,
  nameOf: (item: T) => string,
  kind: string,
): T {
  for (const item of items) if (nameOf(item) === name) return item;
  throw new Error(`the stack has no ${kind} named ${name}`);
}
