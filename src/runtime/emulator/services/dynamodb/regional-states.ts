import { existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { NoPersistence, type ServiceStore } from "../../core/persistence.js";
import type { RequestContext } from "../../core/request.js";
import type { ServiceEnv } from "../../core/service.js";
import type { FeedEntry, FeedSnapshot } from "./change-feed.js";
import { dynamoErrors } from "./errors.js";

/**
 * DynamoDB is a regional service and every account has its own tables: `orders` in us-east-1 and
 * `orders` in eu-west-1 (or in another account) are two tables, with their own items, streams,
 * stream ARNs, backups and settings. The emulator gives each (account, region) its own DynamoDB,
 * chosen from the request's context (the SigV4 credential scope's region, the account its access
 * key maps to): its own dynalite store, change feed and state folder
 * `<state>/dynamodb/<account>/<region>/`. The operations themselves know nothing of this.
 *
 * A DynamoDB is opened when it is first needed: at start for the emulator's default account and
 * region and for every one found in the state folder; later by the first CreateTable there. A
 * request for an account and region that has never had a table (a ListTables, a DescribeTable of a
 * table that is not there, `--region us-eats-1`) is answered from an empty DynamoDB kept in memory,
 * so asking never leaves a folder behind.
 *
 * A state folder written before DynamoDB was scoped (`<state>/dynamodb/{leveldb,snapshot.json,
 * journal.jsonl}`) is moved into the default account and region at start: its tables' ARNs were
 * made with them.
 */

/** Where one account and region's DynamoDB keeps its state. */
export interface RegionPlace {
  accountId: string;
  region: string;
  /** The change feed's snapshot and journal (the write path's intents and stream records). */
  store: ServiceStore<FeedSnapshot, FeedEntry>;
  /** dynalite's LevelDB folder; in memory when undefined. */
  levelPath: string | undefined;
  /** Another store of this account and region (e.g. "backups"), in its own sub-folder. */
  storeFor<Snapshot, Entry>(name: string): ServiceStore<Snapshot, Entry>;
}

/** What the registry needs from one account and region's DynamoDB. */
export interface RegionalService {
  /** Starts its background work (the registry calls it once, when the emulator runs). */
  run(): void | Promise<void>;
  /** Stops background work and closes its storage. */
  stop(): Promise<void>;
}

/** The files of a DynamoDB's state, as FileStore and dynalite name them. */
const STATE_FILES = ["leveldb", "snapshot.json", "journal.jsonl"];
const ACCOUNT_ID = /^\d{12}$/;
/** Region names as folder names: AWS's (`us-east-1`) and the custom ones local tools use (`local`). */
const REGION_NAME = /^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/;

interface Opened<T> {
  accountId: string;
  region: string;
  service: T;
  ran: boolean;
}

export class RegionalStates<T extends RegionalService> {
  private readonly opened = new Map<string, Promise<Opened<T>>>();
  private empty: Promise<T> | undefined;
  private running = false;
  /** `<state>/dynamodb`; undefined in memory. */
  private readonly root: string | undefined;

  constructor(
    private readonly env: ServiceEnv,
    private readonly open: (place: RegionPlace) => Promise<T>,
  ) {
    // The service's own store names the folder every account and region lives under; a state
    // reset that clears it clears them all.
    this.root = env.store("dynamodb").directory;
  }

  /** Opens the default account and region's DynamoDB and every one the state folder holds. */
  async start(): Promise<void> {
    this.moveUnscopedState();
    const wanted = [{ accountId: this.env.defaultAccountId, region: this.env.defaultRegion }];
    for (const found of this.persisted()) {
      if (!wanted.some((w) => w.accountId === found.accountId && w.region === found.region))
        wanted.push(found);
    }
    for (const { accountId, region } of wanted) await this.get(accountId, region);
  }

  async run(): Promise<void> {
    this.running = true;
    for (const entry of this.opened.values()) await this.runOnce(await entry);
  }

  async stop(): Promise<void> {
    this.running = false;
    const entries = [...this.opened.values()];
    this.opened.clear();
    for (const entry of entries) {
      const opened = await entry.catch(() => undefined);
      await opened?.service.stop();
    }
    const empty = this.empty;
    this.empty = undefined;
    await (await empty?.catch(() => undefined))?.stop();
  }

  /**
   * The DynamoDB of the request's account and region. Unless `create` (an operation that makes a
   * table there), one that does not exist yet is not created: the empty DynamoDB answers.
   */
  async forRequest(context: RequestContext, create: boolean): Promise<T> {
    const { accountId, region } = checkedPlace(context);
    if (create || this.opened.has(keyOf(accountId, region))) return this.get(accountId, region);
    return this.emptyService();
  }

  /** The DynamoDBs opened so far, with their account and region. */
  async list(): Promise<{ accountId: string; region: string; service: T }[]> {
    const all = await Promise.all([...this.opened.values()].map((e) => e.catch(() => undefined)));
    return all.filter((e): e is Opened<T> => e !== undefined);
  }

  /** True when the DynamoDBs keep their state in a folder. */
  get persistent(): boolean {
    return this.root !== undefined;
  }

  get size(): number {
    return this.opened.size;
  }

  private async get(accountId: string, region: string): Promise<T> {
    const key = keyOf(accountId, region);
    let entry = this.opened.get(key);
    if (!entry) {
      entry = this.open(this.place(accountId, region)).then((service) => ({
        accountId,
        region,
        service,
        ran: false,
      }));
      this.opened.set(key, entry);
      entry.catch(() => {
        if (this.opened.get(key) === entry) this.opened.delete(key);
      });
    }
    const opened = await entry;
    if (this.running) await this.runOnce(opened);
    return opened.service;
  }

  private async runOnce(opened: Opened<T>): Promise<void> {
    if (opened.ran) return;
    opened.ran = true;
    await opened.service.run();
  }

  private place(accountId: string, region: string): RegionPlace {
    const folder = `dynamodb/${accountId}/${region}`;
    const store = this.env.store<FeedSnapshot, FeedEntry>(folder);
    return {
      accountId,
      region,
      store,
      levelPath: store.directory ? join(store.directory, "leveldb") : undefined,
      storeFor: <Snapshot, Entry>(name: string) => this.env.store<Snapshot, Entry>(`${folder}/${name}`),
    };
  }

  /** An in-memory DynamoDB without tables, for requests to an account and region that has none. */
  private emptyService(): Promise<T> {
    this.empty ??= this.open({
      accountId: this.env.defaultAccountId,
      region: this.env.defaultRegion,
      store: new NoPersistence<FeedSnapshot, FeedEntry>(),
      levelPath: undefined,
      storeFor: <Snapshot, Entry>() => new NoPersistence<Snapshot, Entry>(),
    });
    return this.empty;
  }

  /** The accounts and regions the state folder holds (`<account>/<region>/` with state in it). */
  private persisted(): { accountId: string; region: string }[] {
    if (!this.root || !existsSync(this.root)) return [];
    const found: { accountId: string; region: string }[] = [];
    for (const account of readdirSync(this.root, { withFileTypes: true })) {
      if (!account.isDirectory() || !ACCOUNT_ID.test(account.name)) continue;
      for (const region of readdirSync(join(this.root, account.name), { withFileTypes: true })) {
        if (!region.isDirectory() || !REGION_NAME.test(region.name)) continue;
        const folder = join(this.root, account.name, region.name);
        if (STATE_FILES.some((file) => existsSync(join(folder, file))))
          found.push({ accountId: account.name, region: region.name });
      }
    }
    return found.sort((a, b) => keyOf(a.accountId, a.region).localeCompare(keyOf(b.accountId, b.region)));
  }

  /**
   * Moves a state folder's unscoped DynamoDB state into the default account and region. File by
   * file, each a rename: a crash in between leaves the rest for the next start to move.
   */
  private moveUnscopedState(): void {
    if (!this.root) return;
    const root = this.root;
    const present = STATE_FILES.filter((file) => existsSync(join(root, file)));
    if (present.length === 0) return;
    const target = join(root, this.env.defaultAccountId, this.env.defaultRegion);
    mkdirSync(target, { recursive: true });
    for (const file of present) {
      if (existsSync(join(target, file))) {
        throw new Error(
          `The DynamoDB state folder ${root} holds ${file} both unscoped and for account ` +
            `${this.env.defaultAccountId} region ${this.env.defaultRegion}; keep one of them.`,
        );
      }
      renameSync(join(root, file), join(target, file));
    }
  }
}

function keyOf(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

/** The request's account and region, refused when they cannot name a DynamoDB. */
function checkedPlace(context: RequestContext): { accountId: string; region: string } {
  if (!REGION_NAME.test(context.region))
    throw dynamoErrors.invalidSignature(
      `Credential should be scoped to a valid region, not '${context.region}'. `,
    );
  if (!ACCOUNT_ID.test(context.accountId))
    throw dynamoErrors.invalidSignature(`The account '${context.accountId}' is not a 12-digit account id.`);
  return { accountId: context.accountId, region: context.region };
}
