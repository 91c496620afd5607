import { LRUCache } from 'lru-cache';
import type { CacheEntry } from './entry.ts';

/**
 * L1: an in-process LRU bounded both by entry count and by bytes, where an
 * entry's size is the length of its serialized form (what L2 stores too). It
 * keeps the entry object itself, so a hit costs no parsing; callers must treat
 * cached values as read-only.
 */
export class MemoryTier {
  private readonly lru: LRUCache<string, CacheEntry>;

  constructor(maxEntries: number, maxBytes: number) {
    this.lru = new LRUCache<string, CacheEntry>({ max: maxEntries, maxSize: maxBytes, sizeCalculation: () => 1 });
  }

  get(key: string): CacheEntry | undefined {
    return this.lru.get(key);
  }

  /** Stores `entry`, whose serialized length is `size` characters; an entry larger than the whole tier is skipped. */
  set(key: string, entry: CacheEntry, size: number): void {
    this.lru.set(key, entry, { size: Math.max(1, size) });
  }

  delete(key: string): void {
    this.lru.delete(key);
  }

  clear(): void {
    this.lru.clear();
  }

  get entries(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }
}
