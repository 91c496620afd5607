/**
 * Proving a backup: every part's stored bytes against the manifest's sha256, then
 * the database part restored into a scratch database (row counts compared) and the
 * blob part unpacked into a scratch directory (each file hashed, the digest compared).
 */
import { randomBytes } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BlobStore } from '../blob/port.ts';
import type { Config } from '../config.ts';
import { aes256Key } from '../config.ts';
import { AppError } from '../errors.ts';
import { extractArchive, hashDirectory, summarize } from './blob-archive.ts';
import { keyIdOf } from './crypto.ts';
import { countInScratch } from './engine.ts';
import { digestStored, openPart } from './parts.ts';
import { sweepScratchDatabases } from './postgres-dump.ts';
import { compareCounts } from './tables.ts';
import type { BackupManifest, BackupPart, BackupVerification } from './types.ts';

type VerifyConfig = Pick<Config, 'DATABASE_URL' | 'BACKUP_PG_BIN_DIR' | 'BACKUP_VERIFY_DATABASE_URL' | 'BACKUP_ENCRYPTION_KEY'>;

/** The key that decrypts this manifest's parts (undefined when not encrypted); fails when the configured key is not that one. */
export function keyFor(manifest: BackupManifest, config: Pick<Config, 'BACKUP_ENCRYPTION_KEY'>): Buffer | undefined {
  if (!manifest.encryption) return undefined;
  const key = config.BACKUP_ENCRYPTION_KEY ? aes256Key(config.BACKUP_ENCRYPTION_KEY) : undefined;
  if (!key || keyIdOf(key) !== manifest.encryption.keyId) {
    throw new AppError('E_BACKUP_KEY', `backup ${manifest.id} is encrypted with key ${manifest.encryption.keyId}, which BACKUP_ENCRYPTION_KEY is not`);
  }
  return key;
}

/** Problems with the parts as stored now (sha256 or size differs, or missing); empty when all match. */
export async function checkParts(blobs: BlobStore, manifest: BackupManifest): Promise<string[]> {
  const problems: string[] = [];
  for (const part of manifest.parts) {
    const found = await digestStored(blobs, part.key).catch(() => undefined);
    if (!found) problems.push(`part ${part.name} (${part.key}): missing`);
    else if (found.sha256 !== part.sha256 || found.bytes !== part.bytes) {
      problems.push(`part ${part.name} (${part.key}): sha256 ${found.sha256} (${found.bytes} bytes), the manifest says ${part.sha256} (${part.bytes} bytes)`);
    }
  }
  return problems;
}

/** The scratch directory of one verification or restore, under the system's temp directory. */
export const scratchDir = (backupId: string) => path.join(os.tmpdir(), `aistack-${backupId}-${randomBytes(4).toString('hex')}`);

/**
 * Removes what verifications and restores whose worker died left behind, once
 * older than `olderThanMs` (longer than any such step may run): scratch
 * directories, and on PostgreSQL scratch databases.
 */
export async function sweepScratch(config: Pick<Config, 'DATABASE_URL' | 'BACKUP_VERIFY_DATABASE_URL'>, olderThanMs: number): Promise<void> {
  const cutoff = Date.now() - olderThanMs;
  for (const name of await readdir(os.tmpdir()).catch(() => [] as string[])) {
    if (!/^aistack-bk_\d{14}_[0-9a-f]{6}-[0-9a-f]{8}$/.test(name)) continue;
    const dir = path.join(os.tmpdir(), name);
    const info = await stat(dir).catch(() => undefined);
    if (info && info.mtimeMs < cutoff) await rm(dir, { recursive: true, force: true });
  }
  const adminUrl = config.BACKUP_VERIFY_DATABASE_URL ?? config.DATABASE_URL;
  if (adminUrl) await sweepScratchDatabases(adminUrl, olderThanMs);
}

/** Unpacks the blob part into `dir` and checks it against the manifest's blob summary. */
export async function unpackBlobs(blobs: BlobStore, manifest: BackupManifest, part: BackupPart, key: Buffer | undefined, dir: string) {
  await extractArchive(openPart(blobs, part, key), dir);
  const files = await hashDirectory(dir);
  const found = summarize(files);
  const problems: string[] = [];
  if (found.count !== manifest.blobs.count || found.bytes !== manifest.blobs.bytes || found.digest !== manifest.blobs.digest) {
    problems.push(
      `part blobs: ${found.count} blobs, ${found.bytes} bytes, digest ${found.digest} after unpacking; the manifest says ${manifest.blobs.count}, ${manifest.blobs.bytes}, ${manifest.blobs.digest}`,
    );
  }
  return { files, problems };
}

export async function verifyStoredBackup(
  engine: 'pglite' | 'postgres',
  config: VerifyConfig,
  blobs: BlobStore,
  manifest: BackupManifest,
): Promise<BackupVerification> {
  const started = Date.now();
  // A part whose bytes changed is not opened: its checksum already failed the backup.
  const problems = await checkParts(blobs, manifest);
  let key: Buffer | undefined;
  try {
    key = keyFor(manifest, config);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length === 0) {
    for (const part of manifest.parts) {
      try {
        if (part.name === 'database') {
          if (manifest.engine !== engine) throw new Error(`taken on ${manifest.engine}, this platform runs ${engine}`);
          problems.push(...compareCounts(manifest.rowCounts, await countInScratch(engine, config, openPart(blobs, part, key))));
        } else {
          const dir = scratchDir(manifest.id);
          try {
            problems.push(...(await unpackBlobs(blobs, manifest, part, key, dir)).problems);
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        }
      } catch (error) {
        problems.push(`part ${part.name}: restore into scratch failed: ${(error as Error).message}`);
      }
    }
  }
  return { ok: problems.length === 0, verifiedAt: new Date().toISOString(), problems, durationMs: Date.now() - started };
}
