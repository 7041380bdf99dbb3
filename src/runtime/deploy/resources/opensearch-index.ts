import { createOpenSearchClient } from "../../../pipeline/stages/index-sync-opensearch.js";
import type { AwsClients } from "../../aws/index.js";
import { ChangeList, decideAction } from "../compare.js";
import type { OpenSearchAccess, ResourceDriver } from "../driver.js";

export async function openSearchAccess(clients: AwsClients, endpoint: string): Promise<OpenSearchAccess> {
  // Signing uses the same credentials as every other client of the target.
  const sts = await clients.sts();
  const client = createOpenSearchClient(endpoint, {
    region: clients.settings.region,
    getCredentials: async () => {
      const credentials = await sts.config.credentials();
      return {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
      };
    },
  });
  return { endpoint, client };
}

function typeConflicts(
  declared: Record<string, unknown>,
  live: Record<string, unknown>,
  prefix = "",
): string[] {
  const conflicts: string[] = [];
  for (const [field, spec] of Object.entries(declared)) {
    const liveSpec = live[field] as Record<string, unknown> | undefined;
    if (liveSpec === undefined) continue;
    const want = spec as Record<string, unknown>;
    if (want.type !== undefined && liveSpec.type !== undefined && want.type !== liveSpec.type) {
      conflicts.push(`${prefix}${field}`);
    }
    if (want.properties && liveSpec.properties) {
      conflicts.push(
        ...typeConflicts(
          want.properties as Record<string, unknown>,
          liveSpec.properties as Record<string, unknown>,
          `${prefix}${field}.`,
        ),
      );
    }
  }
  return conflicts;
}

/**
 * The OpenSearch index index-sync writes to: created with its mappings (HEAD first). Fields the
 * declaration adds are put into the live mapping; a field whose type changed needs a reindex and
 * is reported as replace-required. Without an endpoint the index is skipped with a note.
 */
export const openSearchIndexDriver: ResourceDriver = {
  kind: "opensearch-index",
  async assess(ctx, ref) {
    const access = ctx.opensearch;
    if (access === undefined) {
      return {
        action: "skip",
        changes: [],
        notes: ["no OpenSearch endpoint configured; index not deployed"],
        ops: [],
      };
    }
    const { client } = access;
    const declared = ctx.stack.index.body;
    const exists = await client.indices.exists({ index: ref.name });
    if (exists.statusCode !== 200) {
      return {
        action: "create",
        changes: [],
        notes: [`on ${access.endpoint}`],
        ops: [
          {
            name: "PUT index",
            run: async () => {
              await client.indices.create({ index: ref.name, body: declared as never });
            },
          },
        ],
      };
    }
    const mapping = (await client.indices.getMapping({ index: ref.name })).body as Record<
      string,
      { mappings?: { properties?: Record<string, unknown> } }
    >;
    const liveProperties = Object.values(mapping)[0]?.mappings?.properties ?? {};
    const changes = new ChangeList();
    const conflicts = typeConflicts(declared.mappings.properties, liveProperties);
    for (const field of conflicts) {
      changes.add({
        field: `mappings.${field}`,
        before: (liveProperties[field.split(".")[0]!] as { type?: unknown } | undefined)?.type,
        after: "declared type",
        replaceRequired: true,
      });
    }
    const missing = Object.fromEntries(
      Object.entries(declared.mappings.properties).filter(([field]) => liveProperties[field] === undefined),
    );
    for (const field of Object.keys(missing))
      changes.add({ field: `mappings.${field}`, before: undefined, after: missing[field] });
    // gc_deletes is dynamic: an index made before it was declared gets it in place.
    const settings = (await client.indices.getSettings({ index: ref.name })).body as Record<
      string,
      { settings?: { index?: { gc_deletes?: string } } }
    >;
    const liveGcDeletes = Object.values(settings)[0]?.settings?.index?.gc_deletes;
    const gcDeletes = declared.settings.gc_deletes;
    if (liveGcDeletes !== gcDeletes)
      changes.add({ field: "settings.gc_deletes", before: liveGcDeletes, after: gcDeletes });
    const ops = [];
    if (Object.keys(missing).length > 0) {
      ops.push({
        name: "PUT _mapping",
        run: async () => {
          await client.indices.putMapping({ index: ref.name, body: { properties: missing } as never });
        },
      });
    }
    if (liveGcDeletes !== gcDeletes) {
      ops.push({
        name: "PUT _settings",
        run: async () => {
          await client.indices.putSettings({ index: ref.name, body: { index: { gc_deletes: gcDeletes } } });
        },
      });
    }
    return {
      action: decideAction(true, changes.changes),
      changes: changes.changes,
      notes: conflicts.length > 0 ? ["a field's type cannot change in place: reindex into a new index"] : [],
      ops,
    };
  },
  async destroy(ctx, ref) {
    if (ctx.opensearch === undefined) return "absent";
    const { client } = ctx.opensearch;
    const exists = await client.indices.exists({ index: ref.name });
    if (exists.statusCode !== 200) return "absent";
    await client.indices.delete({ index: ref.name });
    return "deleted";
  },
};
