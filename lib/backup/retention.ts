/**
 * Grandfather-father-son retention over verified backups, by UTC calendar: the
 * newest backup of each of the last `daily` days that have one is kept, likewise
 * the newest of each of the last `weekly` ISO weeks (Monday to Sunday) and of the
 * last `monthly` months. A backup kept by several rules is labelled by the
 * longest (monthly > weekly > daily); everything else is dropped.
 */
export type RetentionClass = 'daily' | 'weekly' | 'monthly';

export interface RetentionPlan {
  keep: Map<string, RetentionClass>;
  drop: string[];
}

const day = (at: Date) => at.toISOString().slice(0, 10);
const month = (at: Date) => at.toISOString().slice(0, 7);
/** The Monday that starts the ISO week of `at` (UTC). */
const week = (at: Date) => day(new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() - ((at.getUTCDay() + 6) % 7))));

export function planRetention(
  backups: readonly { id: string; createdAt: string }[],
  keep: { daily: number; weekly: number; monthly: number },
): RetentionPlan {
  const newestFirst = [...backups].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
  const kept = new Map<string, RetentionClass>();
  const rules: [RetentionClass, (at: Date) => string, number][] = [
    ['daily', day, keep.daily],
    ['weekly', week, keep.weekly],
    ['monthly', month, keep.monthly],
  ];
  // Later rules overwrite the label, so the longest rule that keeps a backup names it.
  for (const [label, bucketOf, limit] of rules) {
    const seen = new Set<string>();
    for (const backup of newestFirst) {
      if (seen.size >= limit) break;
      const bucket = bucketOf(new Date(backup.createdAt));
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      kept.set(backup.id, label);
    }
  }
  return { keep: kept, drop: newestFirst.filter((b) => !kept.has(b.id)).map((b) => b.id) };
}
