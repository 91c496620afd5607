import type { Platform } from '../lib/platform.ts';

/** syncKnowledgeBase's activities (filled in by the sync work). */
export function createKnowledgeBaseSyncActivities(_platform: Platform) {
  return {};
}
