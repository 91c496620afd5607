import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  ContinueAsNew,
  continueAsNew,
  executeChild,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createKnowledgeBaseSyncActivities, SyncChildWork } from '../activities/kb-sync.ts';
import type { StepOutcome } from '../lib/kb-sync/plan-repository.ts';
import type { deleteDocument } from './delete-document.ts';
import { deleteDocumentWorkflowId, ingestWorkflowId, searchAttributes } from './definitions.ts';
import type { ingestDocument } from './ingest-document.ts';
import { decodeSyncCursor, encodeSyncCursor, knowledgeBaseSyncProgressQuery, type KnowledgeBaseSyncProgress } from './kb-sync-definitions.ts';
import { knowledgeBaseSyncWorkflowId, type SyncKnowledgeBaseInput } from './maintenance-definitions.ts';
import type { syncKnowledgeBase as Self } from './sync-knowledge-base.ts';

type SyncActivities = ReturnType<typeof createKnowledgeBaseSyncActivities>;

const backoff = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } as const;
/** Opening the run, writing a batch's checkpoint, recording the outcome: one short transaction each. */
const bookkeeping = proxyLocalActivities<SyncActivities>({ startToCloseTimeout: '30s', retry: { ...backoff, maximumAttempts: 20 } });
/** Walking and hashing a tree, or fetching a repository: heartbeats, so a lost worker is noticed in 30 s. */
const scanning = proxyActivities<SyncActivities>({ startToCloseTimeout: '1h', heartbeatTimeout: '30s', retry: { ...backoff, maximumAttempts: 5 } });
/** Staging a batch of files as documents: each file is found again on a retry, never filed twice. */
const staging = proxyActivities<SyncActivities>({ startToCloseTimeout: '30m', heartbeatTimeout: '20s', retry: { ...backoff, maximumAttempts: 10 } });

/** Ingestions and removals running at once per sync: the ingest queue serves uploads meanwhile. */
const CHILD_CONCURRENCY = 4;

/**
 * Brings a knowledge base up to date with its sources: for each source, scan it
 * (a plan against its checkpoint), then apply the plan in batches: new and changed
 * files filed and ingested by child ingestDocument runs, renamed files renamed,
 * documents whose content is gone removed by child deleteDocument runs. A batch's
 * checkpoint is written only once its children have finished, so a crash repeats at
 * most that batch, and a repeat finds the same documents and the same child runs.
 */
export async function syncKnowledgeBase(input: SyncKnowledgeBaseInput): Promise<KnowledgeBaseSyncProgress> {
  const { tenant, knowledgeBaseId } = input;
  const batchSize = input.batchSize ?? 8;
  const batchesPerRun = input.batchesPerRun ?? 40;
  const info = workflowInfo();
  const state: KnowledgeBaseSyncProgress = {
    syncId: input.syncId ?? null,
    sourceId: null,
    phase: 'starting',
    scanned: 0,
    added: 0,
    changed: 0,
    renamed: 0,
    removed: 0,
    unchanged: 0,
    failed: 0,
    failedSources: 0,
    ...input.counts,
    done: false,
  };
  setHandler(knowledgeBaseSyncProgressQuery, () => state);

  // Started under another id (a Schedule names its runs itself): the sync runs under the knowledge
  // base's one id, so a Schedule's firing and an API request never apply the same plan twice at once.
  const canonical = knowledgeBaseSyncWorkflowId(tenant, knowledgeBaseId);
  if (info.workflowId !== canonical) {
    try {
      return await executeChild<typeof Self>('syncKnowledgeBase', {
        workflowId: canonical,
        args: [input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: searchAttributes.jobKind, value: 'kb-sync' },
          { key: searchAttributes.jobStatus, value: 'running' },
          { key: searchAttributes.tenant, value: tenant },
        ],
      });
    } catch (error) {
      // A sync of this knowledge base is open already: this firing is folded into it.
      if (error instanceof WorkflowExecutionAlreadyStartedError) return state;
      throw error;
    }
  }
  const counts = () => ({ scanned: state.scanned, added: state.added, changed: state.changed, renamed: state.renamed, removed: state.removed, unchanged: state.unchanged, failed: state.failed });

  const begun = await bookkeeping.beginKnowledgeBaseSync({
    tenant,
    knowledgeBaseId,
    workflowId: info.workflowId,
    proposedId: input.syncId ?? `sync_${info.firstExecutionRunId.replaceAll('-', '').slice(0, 24)}`,
  });
  const syncId = begun.syncId;
  state.syncId = syncId;
  // Sources that could not be read or applied, in this chain so far: the others are still synced.
  const failures = [...(input.sourceFailures ?? [])];
  state.failedSources = failures.length;
  let batches = 0;

  /** Scans one source (unless resuming it) and applies its plan batch by batch; may continue as new. */
  async function syncSource(sourceId: string): Promise<void> {
    let position: { scanId: string; afterSeq: number; commit: string | null };
    if (input.resume?.sourceId === sourceId) position = decodeSyncCursor(input.resume.cursor);
    else {
      state.phase = 'scanning';
      const scan = await scanning.scanKnowledgeBaseSource({ sourceId });
      state.scanned += scan.scanned;
      state.unchanged += scan.unchanged;
      position = { scanId: scan.scanId, afterSeq: 0, commit: scan.commit };
    }
    state.phase = 'applying';
    for (;;) {
      const batch = await staging.stageSyncSteps({ tenant, knowledgeBaseId, sourceId, scanId: position.scanId, afterSeq: position.afterSeq, limit: batchSize });
      const failedIngestions = await runChildren(batch.work, begun.ingestTaskQueue, tenant);
      count(state, batch.outcomes, failedIngestions);
      await bookkeeping.commitSyncSteps({ syncId, sourceId, outcomes: batch.outcomes, counts: counts() });
      position = { ...position, afterSeq: batch.lastSeq };
      if (batch.exhausted) break;
      if (++batches >= batchesPerRun || workflowInfo().continueAsNewSuggested) {
        // The plan and checkpoint are in the database; the next run carries only where to go on.
        await continueAsNew<typeof Self>({
          ...input,
          syncId,
          counts: counts(),
          sourceFailures: failures,
          resume: { sourceId, cursor: encodeSyncCursor(position) },
        });
      }
    }
    await bookkeeping.finishSourceSync({ sourceId, scanId: position.scanId, commit: position.commit });
  }

  try {
    const from = input.resume ? Math.max(0, begun.sourceIds.indexOf(input.resume.sourceId)) : 0;
    for (const sourceId of begun.sourceIds.slice(from)) {
      state.sourceId = sourceId;
      try {
        await syncSource(sourceId);
      } catch (error) {
        if (error instanceof ContinueAsNew) throw error;
        // This source stays where its last committed batch left it; the others are still synced.
        const reason = failureReason(error);
        failures.push(reason);
        state.failedSources = failures.length;
        await bookkeeping.failSourceSync({ sourceId, error: reason });
      }
    }
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    const reason = failureReason(error);
    await bookkeeping.finishKnowledgeBaseSync({ syncId, status: 'failed', counts: counts(), error: reason });
    setJobStatus('failed');
    throw ApplicationFailure.nonRetryable(reason.message, reason.code);
  }
  Object.assign(state, { phase: 'finished', sourceId: null, done: true });
  const failed = failures.length > 0;
  const error = failed ? { code: failures[0]!.code, message: `${failures.length} source(s) could not be read: ${failures.map((f) => f.message).join('; ')}`.slice(0, 2000) } : undefined;
  await bookkeeping.finishKnowledgeBaseSync({ syncId, status: failed ? 'failed' : 'succeeded', counts: counts(), error });
  setJobStatus(failed ? 'failed' : 'succeeded');
  return state;
}

/**
 * Runs the batch's ingestions and removals as child workflows, a few at a time, on
 * the ingest queue, under the ids uploads and deletes use: a repeat joins, never
 * duplicates. Children are abandoned, not killed, if the sync itself is ended: a
 * filed document finishes ingesting regardless. Returns the documents whose ingestion failed.
 */
async function runChildren(work: SyncChildWork, taskQueue: string, tenant: string): Promise<Set<string>> {
  const failed = new Set<string>();
  const attributes = (kind: string) => [
    { key: searchAttributes.jobKind, value: kind },
    { key: searchAttributes.jobStatus, value: 'running' },
    { key: searchAttributes.tenant, value: tenant },
  ];
  const jobs: (() => Promise<unknown>)[] = [
    ...work.ingest.map(({ documentId, prepareLocally }) => () =>
      executeChild<typeof ingestDocument>('ingestDocument', {
        workflowId: ingestWorkflowId(documentId),
        taskQueue,
        args: [{ documentId, prepareLocally }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: attributes('ingest'),
      }).catch((error: unknown) => {
        // Already running (an upload of the same bytes, or reconcile): it finishes on its own.
        if (error instanceof WorkflowExecutionAlreadyStartedError) return;
        if (error instanceof ChildWorkflowFailure) return void failed.add(documentId);
        throw error;
      }),
    ),
    ...work.remove.map((documentId) => () =>
      executeChild<typeof deleteDocument>('deleteDocument', {
        workflowId: deleteDocumentWorkflowId(documentId),
        taskQueue,
        args: [{ documentId }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: attributes('delete-document'),
      }).catch((error: unknown) => {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return;
        throw error;
      }),
    ),
  ];
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(CHILD_CONCURRENCY, jobs.length) }, lane));
  return failed;
}

function count(state: KnowledgeBaseSyncProgress, outcomes: StepOutcome[], failedIngestions: Set<string>): void {
  for (const o of outcomes) {
    if (o.action === 'rename') state.renamed += 1;
    else if (o.action === 'forget') state.removed += 1;
    else if (o.action === 'upsert') {
      if (o.status !== 'synced' || (o.documentId && failedIngestions.has(o.documentId))) state.failed += 1;
      else if (o.changed) state.changed += 1;
      else state.added += 1;
    }
  }
}

function setJobStatus(status: string): void {
  upsertSearchAttributes([{ key: searchAttributes.jobStatus, value: status }]);
}

/** An E_* verdict is shown as it is; anything else says only that it failed (the history has the details). */
function failureReason(error: unknown): { code: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type?.startsWith('E_')) return { code: cause.type, message: cause.message };
  return { code: 'E_KB_SYNC_FAILED', message: 'the sync failed; the workflow history has the details' };
}
