/**
 * Restore confirmation tokens. POST /v1/backups/:id/restore without a token gets
 * one (and what a restore overwrites); the caller sends it back to confirm. Only
 * the token's sha256 is stored, on the backup's row, with an expiry; issuing a new
 * one replaces the old. It is single use: the API consumes it, then the
 * restorePlatform run it started claims it, so one token starts one restore.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../db/index.ts';

/** Long enough to read what a restore does and confirm; short enough that a leaked token soon expires. */
export const RESTORE_TOKEN_TTL_MS = 15 * 60_000;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * A fresh token for restoring this backup. Only a verified backup can be restored;
 * for any other (missing, running, failed, deleted) this answers undefined.
 */
export async function issueRestoreToken(db: Queryable, backupId: string, ttlMs = RESTORE_TOKEN_TTL_MS): Promise<{ token: string; expiresAt: string } | undefined> {
  const token = `rt_${randomBytes(24).toString('base64url')}`;
  const { rows } = await db.query<{ expires_at: string }>(
    `update backups set restore_token_hash = $2, restore_token_expires_at = now() + make_interval(secs => $3::double precision / 1000),
       restore_token_consumed_at = null, restore_claimed_by = null
     where id = $1 and status = 'verified' returning restore_token_expires_at as expires_at`,
    [backupId, hashOf(token), ttlMs],
  );
  return rows[0] ? { token, expiresAt: new Date(rows[0].expires_at).toISOString() } : undefined;
}

/**
 * True once for a token that matches, has not expired and was not consumed, and
 * only while the backup is verified; every later call with it answers false.
 */
export async function consumeRestoreToken(db: Queryable, backupId: string, token: string): Promise<boolean> {
  if (typeof token !== 'string' || token.length > 200) return false;
  const { rows } = await db.query<{ id: string }>(
    `update backups set restore_token_consumed_at = now()
     where id = $1 and status = 'verified' and restore_token_hash = $2 and restore_token_consumed_at is null
       and restore_token_expires_at > now() returning id`,
    [backupId, hashOf(token)],
  );
  return rows.length === 1;
}

/**
 * restorePlatform's first step: the run `workflowId` claims the token. It must
 * match and be unexpired (or consumed by the API within its lifetime) and not be
 * claimed by another run; the same run asking again (a retried activity) is fine.
 */
export async function claimRestoreToken(db: Queryable, backupId: string, token: string, workflowId: string): Promise<boolean> {
  const { rows } = await db.query<{ restore_token_hash: string | null; restore_claimed_by: string | null; live: boolean; status: string }>(
    `select restore_token_hash, restore_claimed_by, status,
       (restore_token_expires_at > now() or restore_token_consumed_at > now() - make_interval(secs => $2::double precision / 1000)) as live
     from backups where id = $1`,
    [backupId, RESTORE_TOKEN_TTL_MS],
  );
  const row = rows[0];
  if (!row?.restore_token_hash || !matches(row.restore_token_hash, hashOf(token))) return false;
  if (row.restore_claimed_by) return row.restore_claimed_by === workflowId;
  if (!row.live || row.status !== 'verified') return false;
  const claimed = await db.query(
    `update backups set restore_claimed_by = $2, restore_token_consumed_at = coalesce(restore_token_consumed_at, now())
     where id = $1 and restore_claimed_by is null and restore_token_hash = $3 returning id`,
    [backupId, workflowId, row.restore_token_hash],
  );
  return claimed.rows.length === 1;
}

const matches = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
