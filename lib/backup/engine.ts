/**
 * The engine-specific steps behind one interface: dump the database into a part
 * (with row counts of the same instant), count the rows of a part restored into a
 * scratch database, and restore a part over the live database.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { BlobStore } from '../blob/port.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/index.ts';
import { partKey } from './ids.ts';
import { storePart } from './parts.ts';
import { countInScratchPglite, dumpPglite, restorePglite } from './pglite-dump.ts';
import { countInScratchPostgres, dumpPostgres, restorePostgres } from './postgres-dump.ts';
import type { BackupPart } from './types.ts';

export interface DatabaseDump {
  part: BackupPart;
  rowCounts: Record<string, number>;
  schemaVersion: string;
}

type EngineConfig = Pick<Config, 'DATABASE_URL' | 'BACKUP_PG_BIN_DIR' | 'BACKUP_VERIFY_DATABASE_URL'>;
type DumpConfig = EngineConfig & Partial<Pick<Config, 'BACKUP_COMPRESSION_LEVEL'>>;

/** The database part under `backups/<id>/`: the dump, compressed (and encrypted), with row counts of the dump's instant. */
export async function dumpDatabase(db: Database, config: DumpConfig, blobs: BlobStore, backupId: string, encryptionKey?: Buffer): Promise<DatabaseDump> {
  const suffix = encryptionKey ? '.gz.enc' : '.gz';
  if (db.engine === 'pglite') {
    const { dump, rowCounts, schemaVersion } = await dumpPglite(db);
    const part = await storePart(blobs, 'database', partKey(backupId, 'database', `.pgdata.tar${suffix}`), dump, encryptionKey, config.BACKUP_COMPRESSION_LEVEL);
    return { part, rowCounts, schemaVersion };
  }
  const pipe = new PassThrough();
  const storing = storePart(blobs, 'database', partKey(backupId, 'database', `.pgdump${suffix}`), pipe, encryptionKey, config.BACKUP_COMPRESSION_LEVEL);
  try {
    const meta = await dumpPostgres(config.DATABASE_URL!, config.BACKUP_PG_BIN_DIR, pipe);
    return { part: await storing, ...meta };
  } catch (error) {
    pipe.destroy();
    await storing.catch(() => {});
    throw error;
  }
}

/** Rows per table after restoring the dump into a scratch database (dropped afterwards). */
export function countInScratch(engine: Database['engine'], config: EngineConfig, dump: Readable): Promise<Record<string, number>> {
  return engine === 'pglite'
    ? countInScratchPglite(dump)
    : countInScratchPostgres(config.BACKUP_VERIFY_DATABASE_URL ?? config.DATABASE_URL!, config.BACKUP_PG_BIN_DIR, dump);
}

export function restoreDatabase(db: Database, config: EngineConfig, dump: Readable): Promise<void> {
  return db.engine === 'pglite' ? restorePglite(db, dump) : restorePostgres(config.DATABASE_URL!, config.BACKUP_PG_BIN_DIR, dump);
}
