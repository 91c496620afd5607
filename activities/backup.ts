import type { Platform } from '../lib/platform.ts';

/** backupPlatform's and restorePlatform's activities (filled in by the backup work). */
export function createBackupActivities(_platform: Platform) {
  return {};
}
