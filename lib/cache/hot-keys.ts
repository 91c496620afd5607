/**
 * Access counts per key, bounded: at most `2 × capacity` counters live at once;
 * past that the map is pruned to the `capacity` busiest keys. Amortized O(1) per
 * access, and a key hot enough to matter stays in.
 */
export class HotKeys {
  private readonly counts = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  record(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (this.counts.size > this.capacity * 2) this.prune();
  }

  /** The `limit` most accessed keys, busiest first. */
  top(limit = this.capacity): { key: string; count: number }[] {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([key, count]) => ({ key, count }));
  }

  private prune(): void {
    const keep = this.top(this.capacity);
    this.counts.clear();
    for (const { key, count } of keep) this.counts.set(key, count);
  }
}
