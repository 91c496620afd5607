/** Backup ids: `bk_<yyyymmddhhmmss>_<6 hex>`, sortable by time, and the blob keys below `backups/<id>/`. */
import { createHash, randomBytes } from 'node:crypto';

export const BACKUP_ID_PATTERN = /^bk_\d{14}_[0-9a-f]{6}$/;

/** Every backup's files live under this blob prefix, which the blob archive leaves out. */
export const BACKUPS_PREFIX = 'backups/';

const stamp = (at: Date) => at.toISOString().replace(/\D/g, '').slice(0, 14);

/** A manual backup's id: the time now and 6 random hex digits. */
export function newBackupId(at: Date = new Date()): string {
  return `bk_${stamp(at)}_${randomBytes(3).toString('hex')}`;
}

/**
 * A scheduled backup's id, from its workflow id alone, so a retried run (same
 * workflow id) is the same backup. Temporal ends a Schedule's workflow ids with the
 * firing time (`<action id>-2026-12-01T02:00:00Z`); that time is the id's time.
 */
export function backupIdFromWorkflowId(workflowId: string, fallback: Date): string {
  const fired = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)$/.exec(workflowId)?.[1];
  const at = fired ? new Date(fired) : fallback;
  return `bk_${stamp(at)}_${createHash('sha256').update(workflowId).digest('hex').slice(0, 6)}`;
}

export const backupPrefix = (backupId: string) => `${BACKUPS_PREFIX}${backupId}/`;
export const partKey = (backupId: string, part: 'database' | 'blobs', suffix: string) => `${backupPrefix(backupId)}${part}${suffix}`;
export const manifestKey = (backupId: string) => `${backupPrefix(backupId)}manifest.json`;
