import bloom from 'bloom-filters';
import { CacheOptionsError } from './errors.ts';

/** Where a filter's ids come from when it is (re)built: typically every id in a database table. */
export type ExistenceSource = () => AsyncIterable<string> | Iterable<string> | Promise<Iterable<string>>;

export interface ExistenceFilterOptions {
  /** Unique per cache: names the filter on the bus. */
  name: string;
  /** How many ids the filter is sized for; past it the false-positive rate rises (never false negatives). */
  expectedItems: number;
  /** Target false-positive rate, 0 < rate < 1 (default 0.01). */
  errorRate?: number;
  /** Every id that exists, read at `seed()` and again after a break in the bus. */
  load: ExistenceSource;
}

/** How a filter talks to its cache's bus (kept abstract so the filter knows nothing of Redis). */
export interface FilterBus {
  broadcast(name: string, ids: string[]): void;
}

/**
 * A Bloom filter of the ids that can exist, so a lookup of an id it rules out
 * never reaches the loader (no database query for made-up ids).
 *
 * Coherence across processes: each instance keeps its filter in memory, seeded
 * from the source of truth, and every `add` is broadcast on the cache's bus and
 * applied by the others. Chosen over bits in Redis (SETBIT/GETBIT) because a
 * lookup stays a memory read with no round trip, it works in the embedded mode
 * without Redis, and a Redis outage cannot turn into "every id is missing". The
 * cost is a window of a bus hop after a write on another instance (the writer
 * itself sees its id at once), and ids added while the bus was broken: the cache
 * re-seeds its filters from `load` when the bus comes back.
 * Until seeded, the filter answers "might exist" for everything.
 */
export class ExistenceFilter {
  readonly name: string;
  private filter: InstanceType<typeof bloom.BloomFilter> | undefined;
  private pending: string[] | undefined;

  constructor(
    private readonly options: ExistenceFilterOptions,
    private readonly bus: FilterBus,
  ) {
    if (typeof options.name !== 'string' || options.name === '') throw new CacheOptionsError('existence filter option "name" must be a non-empty string');
    if (!(Number.isInteger(options.expectedItems) && options.expectedItems > 0)) {
      throw new CacheOptionsError('existence filter option "expectedItems" must be a positive integer');
    }
    const rate = options.errorRate ?? 0.01;
    if (!(rate > 0 && rate < 1)) throw new CacheOptionsError('existence filter option "errorRate" must be between 0 and 1');
    if (typeof options.load !== 'function') throw new CacheOptionsError('existence filter option "load" must be a function');
    this.name = options.name;
  }

  /** (Re)builds the filter from `load`; ids added meanwhile are kept. */
  async seed(): Promise<void> {
    const next = bloom.BloomFilter.create(this.options.expectedItems, this.options.errorRate ?? 0.01);
    this.pending = [];
    try {
      for await (const id of await this.options.load()) next.add(id);
      for (const id of this.pending) next.add(id);
      this.filter = next;
    } finally {
      this.pending = undefined;
    }
  }

  /** False only when the id certainly does not exist. */
  mightContain(id: string): boolean {
    return this.filter === undefined || this.filter.has(id);
  }

  /** Records ids that now exist (call it on writes); other instances learn them over the bus. */
  add(...ids: string[]): void {
    this.applyRemote(ids);
    if (ids.length > 0) this.bus.broadcast(this.name, ids);
  }

  /** Ids announced by another instance. */
  applyRemote(ids: readonly string[]): void {
    for (const id of ids) {
      this.filter?.add(id);
      this.pending?.push(id);
    }
  }
}
