/**
 * Shapes of the backups API's inputs and answers (zod; the OpenAPI document is
 * generated from them). A backup is platform-wide, so these routes take no tenant
 * from the request: the operator's key (scope `tenants`) is the only caller.
 */
import { z } from 'zod';
import { BACKUP_ID_PATTERN as ID_PATTERN } from '../lib/backup/ids.ts';
import { CURSOR_PATTERN, MAX_CURSOR_LENGTH } from './cursor.ts';

/**
 * A backup id as lib/backup/ids.ts makes them: `bk_`, the UTC time (yyyymmddhhmmss), `_` and 6 hex digits.
 * Spelled with [0-9] for the OpenAPI document: Python's `\d` (schemathesis) also matches non-ASCII digits.
 */
export const BACKUP_ID_PATTERN = '^bk_[0-9]{14}_[0-9a-f]{6}$';
export const backupId = z.string().regex(ID_PATTERN, 'a backup id: bk_, 14 digits of UTC time, _ and 6 hex digits');

/** POST /v1/backups: nothing to choose (what, where and how long to keep come from the configuration); unknown fields are refused. */
export const backupRequest = z.strictObject({});

/**
 * The token from the 428 answer. Its shape is not checked here: anything but the
 * token issued for this backup is refused alike (400 naming `confirmationToken`).
 */
export const confirmationToken = z.string().min(1).max(200);

/** POST /v1/backups/:id/restore: without a token the answer is a 428 carrying one. */
export const restoreRequest = z.strictObject({ confirmationToken: confirmationToken.optional() });

export const backupListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(MAX_CURSOR_LENGTH).regex(new RegExp(CURSOR_PATTERN), 'not a cursor this API returned; use nextCursor as given').optional(),
});
export const backupCursor = z.object({ createdAt: z.string(), id: backupId });

const backupStatus = z.enum(['running', 'verifying', 'verified', 'failed', 'deleted']);

/** 202 to a backup or a restore: the id to follow, the workflow doing it (Web UI), and where it stands. */
export const backupAccepted = z.object({ id: backupId, workflowId: z.string(), status: backupStatus });
export const restoreAccepted = z.object({
  id: backupId.describe('the backup being restored'),
  workflowId: z.string().describe('the restorePlatform run: follow it in the Web UI, or by its `progress` query'),
  status: z.literal('restoring'),
});

/** What a client sees of a backup: parts by name, size and checksum, never by blob key. */
export const backupView = z.object({
  id: backupId,
  status: backupStatus.describe('running → verifying → verified | failed; deleted once retention dropped it. Only `verified` is complete'),
  trigger: z.union([z.object({ kind: z.literal('manual') }), z.object({ kind: z.literal('schedule'), scheduleId: z.string() })]),
  engine: z.enum(['pglite', 'postgres']).nullable(),
  schemaVersion: z.string().nullable(),
  encryption: z.object({ algorithm: z.literal('aes-256-gcm'), keyId: z.string() }).nullable(),
  parts: z.array(
    z.object({
      name: z.enum(['database', 'blobs']),
      bytes: z.number().int().describe('as stored: compressed (and encrypted)'),
      rawBytes: z.number().int().describe('before compression'),
      sha256: z.string().describe('of the stored bytes, checked before any restore'),
    }),
  ),
  rowCounts: z.record(z.string(), z.number().int()).describe('rows per table at the time of the dump'),
  blobs: z.object({ count: z.number().int(), bytes: z.number().int(), digest: z.string() }).nullable(),
  verification: z
    .object({ ok: z.boolean(), verifiedAt: z.string(), problems: z.array(z.string()), durationMs: z.number() })
    .nullable()
    .describe('the restore into a scratch database and directory that proved (or failed) the backup'),
  retention: z.enum(['daily', 'weekly', 'monthly']).nullable().describe('why retention keeps it'),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  lastRestore: z
    .object({
      workflowId: z.string(),
      status: z.enum(['running', 'succeeded', 'failed']),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    })
    .nullable()
    .describe('the latest restore from this backup'),
  workflowId: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export const backupPage = z.object({ items: z.array(backupView), nextCursor: z.string().nullable() });

/** The extra members of the 428 problem that answers a restore without a token. */
export const confirmationRequired = z.object({
  confirmationToken: z.string().describe('send it back as `confirmationToken` to restore; single use'),
  expiresAt: z.string(),
  overwrites: z.array(z.string()).describe('what the restore replaces, in words a person confirms'),
});
