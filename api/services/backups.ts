/**
 * What the API does with backups: start one (or join the one already open), list
 * and read them, and restore one, which needs two requests: the first is answered
 * 428 with a short-lived single-use token and what a restore overwrites, the second
 * sends that token back. A restore replaces every tenant's data, so it is never one
 * click, and a fuzzer or a retried request without the token cannot start one.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { BackupWorkflows } from '../../client/backups.ts';
import { WorkflowEngineUnavailableError } from '../../client/documents.ts';
import { consumeRestoreToken, issueRestoreToken } from '../../lib/backup/confirmation.ts';
import { getBackup, listBackups } from '../../lib/backup/repository.ts';
import type { BackupRecord, BackupStatus } from '../../lib/backup/types.ts';
import type { Database } from '../../lib/db/index.ts';
import { HttpProblem } from '../problem.ts';

export interface BackupServiceDeps {
  db: Database;
  workflows: BackupWorkflows;
  /** Whether a backup's run is still open in Temporal: a row left `running` by a killed run is not joined. */
  isOpen(workflowId: string): Promise<boolean>;
}

/** Statuses of a backup still being made; POST /v1/backups joins such a backup rather than starting a second. */
const OPEN: readonly BackupStatus[] = ['running', 'verifying'];
/** How far back POST /v1/backups looks for an open backup to join: backups are minutes apart at most while one runs. */
const OPEN_LOOKBACK = 5;

const notFound = (id: string) => new HttpProblem(404, 'Not found', `no backup ${id}`, { code: 'E_BACKUP_NOT_FOUND' });

/** In words a person confirms: what a restore of `backup` replaces (the manifest says how much). */
export function overwrites(backup: BackupRecord): string[] {
  const m = backup.manifest;
  const rows = m ? Object.values(m.rowCounts).reduce((a, b) => a + b, 0) : 0;
  const tables = m ? Object.keys(m.rowCounts).length : 0;
  return [
    `the whole database, every tenant's data: it is replaced by this backup's ${tables} tables (${rows} rows) as of ${m?.createdAt ?? backup.createdAt}; ` +
      'anything written since (documents, reports, emails, API keys, ERP rows) is lost',
    `the blob store (uploaded documents, report artifacts) except backups/: it is replaced by this backup's ${m?.blobs.count ?? 0} blobs`,
    'search: PostgreSQL search tables come back with the database; an Elasticsearch index is rebuilt from it afterwards, and caches are dropped',
    'kept: the list of backups itself (no backup holds it), so backups made since stay restorable',
  ];
}

/** BackupServiceDeps.isOpen through Temporal: is that run still going (a killed worker's run is, until it times out or resumes)? */
export function openRunCheck(temporal: Client): (workflowId: string) => Promise<boolean> {
  return async (workflowId) => {
    try {
      return (await temporal.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw new WorkflowEngineUnavailableError(error);
    }
  };
}

export function createBackupService({ db, workflows, isOpen }: BackupServiceDeps) {
  async function own(id: string): Promise<BackupRecord> {
    const backup = await getBackup(db, id);
    if (!backup) throw notFound(id);
    return backup;
  }

  /**
   * A restore while another restore or a backup is under way would interleave the
   * two: a second restore's rows over the first's blobs, or a backup of half a
   * restore. Only runs still open in Temporal count (a row left `running` by a dead
   * run does not). Read straight from the backups catalog: its rows are few.
   */
  async function refuseWhileBusy(what: { backups: boolean }): Promise<void> {
    const { rows } = await db.query<{ id: string; workflow_id: string; status: BackupStatus; restore_workflow_id: string | null }>(
      `select id, workflow_id, status, last_restore->>'workflowId' as restore_workflow_id from backups
       where status in ('running', 'verifying') or last_restore->>'status' = 'running'`,
    );
    for (const row of rows) {
      if (row.restore_workflow_id && (await isOpen(row.restore_workflow_id))) {
        throw new HttpProblem(409, 'Conflict', `a restore from ${row.id} is running (${row.restore_workflow_id}): one restore at a time`, { code: 'E_RESTORE_RUNNING' });
      }
      if (what.backups && OPEN.includes(row.status) && (await isOpen(row.workflow_id))) {
        throw new HttpProblem(409, 'Conflict', `backup ${row.id} is being made: restore once it has finished`, { code: 'E_BACKUP_RUNNING' });
      }
    }
  }

  return {
    /**
     * Starts a manual backup, or answers with the backup still being made: two at
     * once would dump the same data twice and race each other's retention. Refused
     * (409) while a restore runs: it would capture half of one.
     */
    async start(): Promise<{ id: string; workflowId: string; status: BackupStatus }> {
      await refuseWhileBusy({ backups: false });
      const { items } = await listBackups(db, { limit: OPEN_LOOKBACK });
      for (const b of items) {
        if (OPEN.includes(b.status) && (await isOpen(b.workflowId))) return { id: b.id, workflowId: b.workflowId, status: b.status };
      }
      const { backupId, workflowId } = await workflows.start({ kind: 'manual' });
      return { id: backupId, workflowId, status: 'running' };
    },

    get: own,

    list: (page: { limit: number; after?: { createdAt: string; id: string } }) => listBackups(db, page),

    /**
     * Without a token: a 428 carrying a fresh one, its expiry and what the restore
     * overwrites. With one: consumed here (single use) and handed to restorePlatform,
     * which checks it again before touching anything. Only a verified backup restores.
     */
    async restore(id: string, token: string | undefined): Promise<{ id: string; workflowId: string; status: 'restoring' }> {
      const backup = await own(id);
      if (backup.status !== 'verified') {
        throw new HttpProblem(409, 'Conflict', `backup ${id} is ${backup.status}: only a verified backup can be restored`, { code: 'E_BACKUP_NOT_RESTORABLE' });
      }
      // Before the token is issued or used, so a refused request does not burn it.
      await refuseWhileBusy({ backups: true });
      if (token === undefined) {
        const issued = await issueRestoreToken(db, id);
        // Retention deleted it (or a verification failed it) between the read above and now.
        if (!issued) throw new HttpProblem(409, 'Conflict', `backup ${id} is no longer verified`, { code: 'E_BACKUP_NOT_RESTORABLE' });
        // Members beyond the usual problem's: the client needs them to confirm (RFC 9457 allows extensions).
        const extra = { code: 'E_CONFIRMATION_REQUIRED', confirmationToken: issued.token, expiresAt: issued.expiresAt, overwrites: overwrites(backup) };
        throw new HttpProblem(
          428,
          'Confirmation required',
          `restoring ${id} replaces the platform's data; send this confirmationToken back before ${issued.expiresAt} to go ahead`,
          extra,
        );
      }
      if (!(await consumeRestoreToken(db, id, token))) {
        throw HttpProblem.invalid([{ field: 'confirmationToken', detail: 'not a token issued for this backup, used already, or expired: ask for a new one' }]);
      }
      const workflowId = await workflows.restore(id, token);
      return { id, workflowId, status: 'restoring' };
    },
  };
}

export type BackupService = ReturnType<typeof createBackupService>;
