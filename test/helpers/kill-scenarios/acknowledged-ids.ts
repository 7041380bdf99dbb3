import { workers, type KillScenario } from "../kill-rounds.js";

/**
 * The shape most services' kill scenarios share: writers create things with unique ids, each id
 * noted once the emulator acknowledged it; after a restart every acknowledged id must be there
 * (an id whose request the kill cut may be there or not).
 */
export interface IdScenarioOptions<Context> {
  services: string[];
  settings?: Record<string, unknown>;
  writers?: number;
  setup(url: string, persistDir: string): Promise<Context>;
  /** Writes the thing with this id (resolves once acknowledged). */
  write(url: string, context: Context, id: string, worker: number): Promise<void>;
  /** The ids the restarted emulator has; `expected` are the acknowledged ones (to wait for them). */
  present(url: string, context: Context, expected: Set<string>): Promise<Set<string>>;
}

export interface IdContext<Context> {
  inner: Context;
  acked: Set<string>;
  next: number;
}

export function idScenario<Context>(options: IdScenarioOptions<Context>): KillScenario<IdContext<Context>> {
  return {
    services: options.services,
    ...(options.settings ? { settings: options.settings } : {}),
    async setup(url, persistDir) {
      return { inner: await options.setup(url, persistDir), acked: new Set(), next: 0 };
    },
    async load(url, context, acknowledged, signal) {
      await workers(options.writers ?? 6, signal, async (worker) => {
        const id = `id-${String(context.next++).padStart(6, "0")}`;
        await options.write(url, context.inner, id, worker);
        context.acked.add(id);
        acknowledged();
      });
    },
    async verify(url, context) {
      const present = await options.present(url, context.inner, context.acked);
      const lost = [...context.acked]
        .filter((id) => !present.has(id))
        .map((id) => `${id} was acknowledged and is gone`);
      return { checked: context.acked.size, lost };
    },
  };
}
