import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { preparesLocally } from '../client/documents.ts';
import type { Cache } from '../lib/cache/index.ts';
import { tagsOfDocumentChange } from '../lib/documents/cache-tags.ts';
import { getDocument } from '../lib/documents/repository.ts';
import { AppError } from '../lib/errors.ts';
import { NoSourcesError } from '../lib/kb-sync/errors.ts';
import { sourceRoots } from '../lib/kb-sync/paths.ts';
import { commitOutcomes, dropPlan, markSourceFailed, markSourceSynced, readPlanBatch, savePlan, type StepOutcome } from '../lib/kb-sync/plan-repository.ts';
import { beginSyncRun, finishSyncRun, recordSyncProgress } from '../lib/kb-sync/runs.ts';
import { openSourceFile, scanSource, type SourceAccess } from '../lib/kb-sync/scan.ts';
import { documentStillReferenced, getSource, listSources, loadCheckpoint, sourceLabel } from '../lib/kb-sync/sources.ts';
import { renameSyncedDocument, stageFile } from '../lib/kb-sync/stage.ts';
import type { SyncCounts } from '../lib/kb-sync/types.ts';
import { getKnowledgeBase } from '../lib/knowledge-bases/repository.ts';
import { KnowledgeBaseNotFoundError } from '../lib/knowledge-bases/errors.ts';
import type { Platform } from '../lib/platform.ts';
import { ingestWorkflowId } from '../workflows/definitions.ts';
import { withFailureMapping } from './failures.ts';

/** A document the workflow must ingest (a child ingestDocument) or delete (a child deleteDocument). */
export interface SyncChildWork {
  ingest: { documentId: string; prepareLocally: boolean }[];
  remove: string[];
}

/** Beats while `work` runs, so a killed worker's step is retried elsewhere within the heartbeat timeout. */
async function beating<T>(work: (beat: (details?: unknown) => void) => Promise<T>): Promise<T> {
  const context = Context.current();
  let last: unknown;
  const beat = (details?: unknown) => {
    last = details ?? last;
    context.heartbeat(last);
  };
  const timer = setInterval(() => beat(), 2_000);
  try {
    return await work(beat);
  } finally {
    clearInterval(timer);
  }
}

/**
 * Tells the API's filter of existing document ids (api/services/document-reads.ts)
 * about a new one, as an upload does; otherwise a synced document would read as
 * absent by id until the filter is rebuilt. The filter is the API's, in this
 * process or another (then over the cache bus).
 */
const documentIdAnnouncer = (cache: Cache) => (id: string) => cache.addToExistenceFilter('document-ids', id);

const failureOf = (error: unknown) =>
  error instanceof AppError ? { code: error.code, message: error.message } : { code: 'E_KB_SYNC_FILE', message: 'the file could not be read' };

/** syncKnowledgeBase's steps. Each is safe to run again: staging finds its document, the checkpoint is written per batch in one transaction. */
export function createKnowledgeBaseSyncActivities(platform: Platform) {
  const { db, blobs, config, cache } = platform;
  const access: SourceAccess = { roots: sourceRoots(config.KB_SOURCE_ROOTS), cacheDir: config.KB_SYNC_CACHE_DIR, maxFiles: config.KB_SYNC_MAX_FILES };
  const announce = documentIdAnnouncer(cache);
  const requireSource = async (sourceId: string) => {
    const source = await getSource(db, sourceId);
    if (!source) throw new AppError('E_KB_SOURCE_NOT_FOUND', `source ${sourceId} was removed during the sync`);
    return source;
  };

  return withFailureMapping({
    /** Opens (or takes up) the run's row and lists the sources to sync, in order. */
    async beginKnowledgeBaseSync(input: { tenant: string; knowledgeBaseId: string; workflowId: string; proposedId: string }) {
      const kb = await getKnowledgeBase(db, input.tenant, input.knowledgeBaseId);
      if (!kb) throw new KnowledgeBaseNotFoundError(input.knowledgeBaseId);
      const sources = await listSources(db, input.tenant, input.knowledgeBaseId);
      if (sources.length === 0) throw new NoSourcesError(input.knowledgeBaseId);
      const run = await beginSyncRun(db, { tenant: input.tenant, knowledgeBase: input.knowledgeBaseId, workflowId: input.workflowId, proposedId: input.proposedId });
      return { syncId: run.id, sourceIds: sources.map((s) => s.id), ingestTaskQueue: config.INGEST_TASK_QUEUE };
    },

    /** Reads the source as it is now and stores the plan against its checkpoint; heartbeats while it walks and hashes. */
    async scanKnowledgeBaseSource({ sourceId }: { sourceId: string }) {
      const source = await requireSource(sourceId);
      return beating(async (beat) => {
        const checkpoint = await loadCheckpoint(db, sourceId);
        const plan = await scanSource({ ...access, progress: beat }, source, checkpoint);
        const scanId = randomUUID();
        await savePlan(db, scanId, sourceId, plan.steps);
        return { scanId, steps: plan.steps.length, scanned: plan.scanned, unchanged: plan.unchanged, commit: plan.commit };
      });
    },

    /**
     * Applies the next steps of the plan that need no workflow: files staged as
     * documents, renamed documents renamed. Says which documents the workflow must
     * ingest or delete; the checkpoint is not touched until those have finished.
     */
    async stageSyncSteps(input: { tenant: string; knowledgeBaseId: string; sourceId: string; scanId: string; afterSeq: number; limit: number }) {
      const source = await requireSource(input.sourceId);
      const label = sourceLabel(source.spec);
      const read = await readPlanBatch(db, input.scanId, input.afterSeq, input.limit);
      // Releases run in batches of their own, after every other step is in the checkpoint:
      // whether a document is still referenced is only known then.
      const firstRelease = read.findIndex((s) => s.step.action === 'release');
      const steps = firstRelease > 0 ? read.slice(0, firstRelease) : read;
      const exhausted = steps.length === read.length && read.length < input.limit;
      const outcomes: StepOutcome[] = [];
      const work: SyncChildWork = { ingest: [], remove: [] };
      return beating(async (beat) => {
        for (const { seq, step } of steps) {
          beat({ seq });
          if (step.action === 'rename') {
            if (step.documentId) await renameSyncedDocument(db, step.documentId, label, step.path);
            outcomes.push({ action: 'rename', path: step.path, oldPath: step.oldPath, file: step.file });
          } else if (step.action === 'forget') {
            outcomes.push(step);
          } else if (step.action === 'release') {
            // Another source of the knowledge base (or a file applied earlier in this plan) may still be this document.
            const keep = await documentStillReferenced(db, input.tenant, input.knowledgeBaseId, step.documentId);
            const exists = !keep && (await getDocument(db, step.documentId)) !== undefined;
            if (exists) work.remove.push(step.documentId);
            outcomes.push({ action: 'release', documentId: step.documentId, deleted: exists });
          } else {
            try {
              const staged = await stageFile(
                { db, blobs, maxBytes: config.MAX_UPLOAD_SIZE, workflowIdOf: ingestWorkflowId },
                { tenant: input.tenant, knowledgeBase: input.knowledgeBaseId, sourceId: source.id, sourceLabel: label, path: step.path, body: await openSourceFile(access, source, step.file) },
              );
              const { document } = staged;
              if (staged.created) announce(document.id);
              const file = { ...step.file, sha256: staged.sha256, size: staged.size };
              if (document.status === 'deleting') {
                // Its removal (an earlier release) is still running: take the file up again next sync.
                outcomes.push({ action: 'upsert', path: step.path, changed: step.changed, file, documentId: null, status: 'retry', error: { code: 'E_DOCUMENT_DELETING', message: 'the same content was being deleted' } });
                continue;
              }
              if (document.status === 'queued') work.ingest.push({ documentId: document.id, prepareLocally: preparesLocally(document) });
              outcomes.push({ action: 'upsert', path: step.path, changed: step.changed, file, documentId: document.id, status: 'synced' });
            } catch (error) {
              // A verdict on the file (unsupported, empty, too large, a symlink out): recorded, not retried until it changes.
              if (!(error instanceof AppError) || error.retryable) throw error;
              outcomes.push({ action: 'upsert', path: step.path, changed: step.changed, file: step.file, documentId: null, status: 'failed', error: failureOf(error) });
            }
          }
        }
        if (work.ingest.length > 0 || outcomes.some((o) => o.action === 'rename')) await cache.invalidateTags(tagsOfDocumentChange(input.tenant));
        return { outcomes, lastSeq: steps.at(-1)?.seq ?? input.afterSeq, exhausted, work };
      });
    },

    /** The batch's workflows have finished: its outcomes go into the checkpoint, the run's counts are recorded. */
    async commitSyncSteps(input: { syncId: string; sourceId: string; outcomes: StepOutcome[]; counts: SyncCounts }) {
      await commitOutcomes(db, input.sourceId, input.outcomes);
      await recordSyncProgress(db, input.syncId, input.counts);
    },

    /** Every step of the source's plan is applied: the checkpoint now describes `commit`. */
    async finishSourceSync(input: { sourceId: string; scanId: string; commit: string | null }) {
      await markSourceSynced(db, input.sourceId, input.commit);
      await dropPlan(db, input.scanId);
    },

    async failSourceSync(input: { sourceId: string; error: { code: string; message: string } }) {
      await markSourceFailed(db, input.sourceId, input.error);
    },

    async finishKnowledgeBaseSync(input: { syncId: string; status: 'succeeded' | 'failed'; counts: SyncCounts; error?: { code: string; message: string } }) {
      await finishSyncRun(db, input.syncId, input);
      const run = await db.query<{ tenant: string }>('select tenant from kb_syncs where id = $1', [input.syncId]);
      // Sources' file counts and last-sync times, and the documents, are read through the response cache.
      if (run.rows[0]) await cache.invalidateTags(tagsOfDocumentChange(run.rows[0].tenant));
    },
  });
}
