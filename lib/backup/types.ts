/**
 * Backups: one consistent copy of the database and the blob store, with a manifest.
 * Shared by the backupPlatform/restorePlatform workflows' activities and the API.
 */

/** What started a backup: an operator's POST /v1/backups, or a Schedule (its id). */
export type BackupTrigger = { kind: 'manual' } | { kind: 'schedule'; scheduleId: string };

/** running → verifying → verified | failed; `running` and `verifying` are never listed as complete. */
export type BackupStatus = 'running' | 'verifying' | 'verified' | 'failed' | 'deleted';

/** One stored part of a backup: the database dump or the blob archive, compressed (and encrypted). */
export interface BackupPart {
  name: 'database' | 'blobs';
  /** Blob key under `backups/<id>/`. */
  key: string;
  /** Bytes as stored. */
  bytes: number;
  /** Bytes before compression (the dump as written, the tar of the blobs). */
  rawBytes: number;
  /** sha256 of the stored bytes (hex), checked before any restore. */
  sha256: string;
}

/** The manifest, stored beside the parts as `backups/<id>/manifest.json` and in the backups row. */
export interface BackupManifest {
  id: string;
  format: 1;
  engine: 'pglite' | 'postgres';
  /** The last migration applied when the backup was taken; a restore needs the same schema. */
  schemaVersion: string;
  createdAt: string;
  /** AES-256-GCM with BACKUP_ENCRYPTION_KEY (the key's sha256 prefix names which), or none. */
  encryption: { algorithm: 'aes-256-gcm'; keyId: string } | null;
  parts: BackupPart[];
  /** Rows per table at the time of the dump, compared by verification. */
  rowCounts: Record<string, number>;
  /** Blob count and the sha256 of their sorted (key, sha256) list, compared by verification. */
  blobs: { count: number; bytes: number; digest: string };
}

export interface BackupVerification {
  ok: boolean;
  verifiedAt: string;
  /** What differed, when not ok (a table's row count, a part's checksum, a blob's digest). */
  problems: string[];
  durationMs: number;
}

export interface BackupRecord {
  id: string;
  status: BackupStatus;
  trigger: BackupTrigger;
  manifest?: BackupManifest;
  verification?: BackupVerification;
  /** Retention class given at completion: daily, weekly (a Sunday's), monthly (a month's first). */
  retention?: 'daily' | 'weekly' | 'monthly';
  error?: { code: string; message: string };
  workflowId: string;
  createdAt: string;
  finishedAt?: string;
  /** The latest restore from this backup, if any. */
  lastRestore?: BackupRestoreState;
}

/** A restorePlatform run, recorded on the backup it restores (the backups table survives every restore). */
export interface BackupRestoreState {
  workflowId: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt?: string;
  error?: { code: string; message: string };
}
