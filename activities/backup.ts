import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Context } from '@temporalio/activity';
import { archiveBlobs, restoreBlobsFrom } from '../lib/backup/blob-archive.ts';
import { claimRestoreToken } from '../lib/backup/confirmation.ts';
import { keyIdOf } from '../lib/backup/crypto.ts';
import { dumpDatabase, restoreDatabase, type DatabaseDump } from '../lib/backup/engine.ts';
import { backupIdFromWorkflowId, backupPrefix, manifestKey, partKey } from '../lib/backup/ids.ts';
import { openPart, storePart } from '../lib/backup/parts.ts';
import * as backups from '../lib/backup/repository.ts';
import { planRetention } from '../lib/backup/retention.ts';
import { schemaVersion } from '../lib/backup/tables.ts';
import type { BackupManifest, BackupPart, BackupVerification } from '../lib/backup/types.ts';
import { checkParts, keyFor, scratchDir, sweepScratch, unpackBlobs, verifyStoredBackup } from '../lib/backup/verify.ts';
import { createSearchSync } from '../client/search-sync.ts';
import { aes256Key } from '../lib/config.ts';
import { AppError } from '../lib/errors.ts';
import type { Platform } from '../lib/platform.ts';
import { INDEX_NAMES } from '../lib/search/indexes.ts';
import { withFailureMapping } from './failures.ts';

/** A running or verifying backup no activity has touched for this long belongs to a run that died. */
const STALE_MS = 15 * 60_000;
/** Longer than any step may run (startToCloseTimeout 6 h): a scratch database or directory this old is a dead run's. */
const SCRATCH_MAX_AGE_MS = 7 * 3_600_000;

/**
 * Beats every second while `work` runs (the worker's heartbeat throttle matches),
 * so a killed worker is noticed within the heartbeat timeout, and touches the
 * backup's row every 10 s so the stale sweep leaves a live backup alone.
 */
async function beating<T>(platform: Platform, backupId: string, work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  context.heartbeat();
  let beats = 0;
  const timer = setInterval(() => {
    context.heartbeat();
    if (++beats % 10 === 0) backups.touchBackup(platform.db, backupId).catch(() => {});
  }, 1_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** backupPlatform's, verifyBackup's and restorePlatform's activities; each is safe to run again. */
export function createBackupActivities(platform: Platform) {
  const { db, blobs, config } = platform;
  const encryptionKey = () => (config.BACKUP_ENCRYPTION_KEY ? aes256Key(config.BACKUP_ENCRYPTION_KEY) : undefined);

  /** Removes every file of a backup (its folder), partial writes included. */
  async function removeFiles(backupId: string): Promise<void> {
    const keys: string[] = [];
    for await (const { key } of blobs.list(backupPrefix(backupId))) keys.push(key);
    await Promise.all(keys.map((key) => blobs.delete(key)));
  }

  async function requireManifest(backupId: string): Promise<BackupManifest> {
    const record = await backups.requireBackup(db, backupId);
    if (!record.manifest) throw new AppError('E_BACKUP_INCOMPLETE', `backup ${backupId} has no manifest: it never completed`);
    return record.manifest;
  }

  return withFailureMapping({
    /**
     * Records the backup as running (its id from the client, or derived from the
     * workflow id) and sweeps backups whose runs died: marked failed, files removed.
     */
    async beginBackup(input: { backupId?: string; scheduleId?: string; workflowId: string }): Promise<{ backupId: string }> {
      const backupId = input.backupId ?? backupIdFromWorkflowId(input.workflowId, new Date());
      await backups.insertBackup(db, {
        id: backupId,
        trigger: input.scheduleId ? { kind: 'schedule', scheduleId: input.scheduleId } : { kind: 'manual' },
        workflowId: input.workflowId,
      });
      for (const stale of await backups.listStaleBackups(db, STALE_MS, backupId)) {
        await backups.failBackup(db, stale, { code: 'E_BACKUP_ABANDONED', message: 'the run stopped before the backup completed' });
        await removeFiles(stale);
      }
      await sweepScratch(config, SCRATCH_MAX_AGE_MS).catch(() => {});
      return { backupId };
    },

    /** The database part: the dump (pg_dump or PGlite's data directory) with row counts of the same instant. */
    async dumpDatabasePart({ backupId }: { backupId: string }): Promise<DatabaseDump> {
      return beating(platform, backupId, () => dumpDatabase(db, config, blobs, backupId, encryptionKey()));
    },

    /** The blob part: a tar of every blob outside `backups/`, and the digest of what it holds. */
    async archiveBlobsPart({ backupId }: { backupId: string }): Promise<{ part: BackupPart; blobs: BackupManifest['blobs'] }> {
      return beating(platform, backupId, async () => {
        const key = encryptionKey();
        const { archive, summary } = await archiveBlobs(blobs, config.BLOB_DIR);
        const part = await storePart(blobs, 'blobs', partKey(backupId, 'blobs', key ? '.tar.gz.enc' : '.tar.gz'), archive, key, config.BACKUP_COMPRESSION_LEVEL);
        return { part, blobs: await summary };
      });
    },

    /** The manifest, as a blob beside the parts and on the row (status verifying); files of killed attempts go. */
    async writeManifest(input: { backupId: string; database: DatabaseDump; blobs: { part: BackupPart; blobs: BackupManifest['blobs'] }; createdAt: string }): Promise<BackupManifest> {
      const key = encryptionKey();
      const manifest: BackupManifest = {
        id: input.backupId,
        format: 1,
        engine: db.engine,
        schemaVersion: input.database.schemaVersion,
        createdAt: input.createdAt,
        encryption: key ? { algorithm: 'aes-256-gcm', keyId: keyIdOf(key) } : null,
        parts: [input.database.part, input.blobs.part],
        rowCounts: input.database.rowCounts,
        blobs: input.blobs.blobs,
      };
      const mKey = manifestKey(input.backupId);
      await blobs.put(mKey, Readable.from([Buffer.from(JSON.stringify(manifest, null, 2))]));
      const wanted = new Set([mKey, ...manifest.parts.map((p) => p.key)]);
      for await (const { key: found } of blobs.list(backupPrefix(input.backupId))) if (!wanted.has(found)) await blobs.delete(found);
      await backups.recordManifest(db, input.backupId, manifest);
      return manifest;
    },

    /** Restores the stored parts into a scratch database and directory and compares; the verdict, not yet recorded. */
    async verifyBackupParts({ backupId }: { backupId: string }): Promise<BackupVerification> {
      const manifest = await requireManifest(backupId);
      return beating(platform, backupId, () => verifyStoredBackup(db.engine, config, blobs, manifest));
    },

    /** verified, or failed with the problems as its error. */
    async recordVerification({ backupId, verification }: { backupId: string; verification: BackupVerification }): Promise<string> {
      return backups.recordVerification(db, backupId, verification);
    },

    /** A new backup that failed its verification is useless: its files go (a re-verified old one keeps them as evidence). */
    async removeBackupFiles({ backupId }: { backupId: string }): Promise<void> {
      await removeFiles(backupId);
    },

    /** Grandfather-father-son over verified backups: the kept ones get their class, the others' files go and they are marked deleted. */
    async applyRetention(): Promise<{ kept: number; deleted: string[] }> {
      const plan = planRetention(await backups.listVerifiedBackups(db), {
        daily: config.BACKUP_KEEP_DAILY,
        weekly: config.BACKUP_KEEP_WEEKLY,
        monthly: config.BACKUP_KEEP_MONTHLY,
      });
      for (const [id, retention] of plan.keep) await backups.setRetention(db, id, retention);
      for (const id of plan.drop) {
        await backups.markDeleted(db, id);
        await removeFiles(id);
      }
      return { kept: plan.keep.size, deleted: plan.drop };
    },

    /** A backup that could not complete: failed with its reason, its files removed. */
    async abandonBackup({ backupId, error }: { backupId: string; error: { code: string; message: string } }): Promise<void> {
      await backups.failBackup(db, backupId, error);
      await removeFiles(backupId);
    },

    /**
     * A restore's first step: the run claims the confirmation token (single use),
     * and the backup must be verified, of this engine and of today's schema.
     */
    async claimRestore(input: { backupId: string; token: string; workflowId: string }): Promise<void> {
      if (!(await claimRestoreToken(db, input.backupId, input.token, input.workflowId))) {
        throw new AppError('E_RESTORE_TOKEN', 'the confirmation token is wrong, expired or already used');
      }
      const manifest = await requireManifest(input.backupId);
      if (manifest.engine !== db.engine) throw new AppError('E_BACKUP_ENGINE', `the backup was taken on ${manifest.engine}; this platform runs ${db.engine}`);
      const current = await schemaVersion(db);
      if (manifest.schemaVersion !== current) {
        throw new AppError('E_BACKUP_SCHEMA', `the backup has schema ${manifest.schemaVersion}; this platform has ${current}`);
      }
      await backups.recordRestore(db, input.backupId, { workflowId: input.workflowId, status: 'running', startedAt: new Date().toISOString() });
    },

    /** Every part's stored bytes against the manifest, and the key, before anything live is touched. */
    async checkBackupParts({ backupId }: { backupId: string }): Promise<void> {
      const manifest = await requireManifest(backupId);
      const problems = await beating(platform, backupId, () => checkParts(blobs, manifest));
      keyFor(manifest, config);
      if (problems.length) throw new AppError('E_BACKUP_CORRUPT', problems.join('; '));
    },

    /** The live database becomes the backup's (see lib/backup/engine.ts for what each engine does). */
    async restoreDatabasePart({ backupId }: { backupId: string }): Promise<void> {
      const manifest = await requireManifest(backupId);
      const part = manifest.parts.find((p) => p.name === 'database')!;
      await beating(platform, backupId, () => restoreDatabase(db, config, openPart(blobs, part, keyFor(manifest, config))));
    },

    /** The live blob store becomes the backup's: unpacked and checked in a scratch directory first, then written. */
    async restoreBlobsPart({ backupId }: { backupId: string }): Promise<{ written: number; removed: number }> {
      const manifest = await requireManifest(backupId);
      const part = manifest.parts.find((p) => p.name === 'blobs')!;
      const dir = scratchDir(backupId);
      try {
        return await beating(platform, backupId, async () => {
          const { files, problems } = await unpackBlobs(blobs, manifest, part, keyFor(manifest, config), dir);
          if (problems.length) throw new AppError('E_BACKUP_CORRUPT', problems.join('; '));
          return restoreBlobsFrom(blobs, dir, files);
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    /**
     * The end of a restore, on the backup's row. Caches built from the old data are
     * dropped, and an Elasticsearch index (not in any backup) is rebuilt from the
     * restored database by the one search-sync run; PostgreSQL's search tables came
     * back with the dump.
     */
    async finishRestore(input: { backupId: string; workflowId: string; startedAt: string; status: 'succeeded' | 'failed'; error?: { code: string; message: string } }): Promise<void> {
      await backups.recordRestore(db, input.backupId, {
        workflowId: input.workflowId,
        status: input.status,
        startedAt: input.startedAt,
        finishedAt: new Date().toISOString(),
        ...(input.error ? { error: input.error } : {}),
      });
      if (input.status === 'succeeded') {
        if (config.SEARCH_ENGINE === 'elasticsearch') {
          await createSearchSync(Context.current().client, config.INGEST_TASK_QUEUE).request({ rebuild: [...INDEX_NAMES] });
        }
        await Promise.allSettled([
          platform.cache.namespace('document').clearNamespace(),
          platform.cache.namespace('analytics').clearNamespace(),
          platform.cache.invalidateTags(['erp']),
        ]);
      }
    },
  });
}
