/**
 * What the API does with knowledge-base sources and syncs: check and record
 * sources, start (or join) a knowledge base's sync, and show the last one. The
 * sync itself is the syncKnowledgeBase workflow; a start either runs it or leaves
 * nothing behind.
 */
import type { KnowledgeBaseSyncWorkflows } from '../../client/kb-sync.ts';
import type { CacheScope } from '../../lib/cache/index.ts';
import type { Database } from '../../lib/db/index.ts';
import { knowledgeBasesTag } from '../../lib/documents/cache-tags.ts';
import { KnowledgeBaseDeletingError } from '../../lib/knowledge-bases/errors.ts';
import { NoSourcesError, SourceLimitError, SourceNotFoundError, SourceSpecError } from '../../lib/kb-sync/errors.ts';
import { resolveGitUrl } from '../../lib/kb-sync/git.ts';
import { resolveInsideRoots } from '../../lib/kb-sync/paths.ts';
import { deleteSyncRun, latestSyncRun, openSyncRun } from '../../lib/kb-sync/runs.ts';
import { addKnowledgeBaseSource, deleteSource, listSources } from '../../lib/kb-sync/sources.ts';
import type { KnowledgeBaseSource, SourceSpec, SyncRun } from '../../lib/kb-sync/types.ts';
import { requireKnowledgeBase } from '../../lib/knowledge-bases/repository.ts';
import { knowledgeBaseSyncWorkflowId } from '../../workflows/maintenance-definitions.ts';
import type { KnowledgeBaseSyncProgress } from '../../workflows/kb-sync-definitions.ts';
import { newSourceSchema } from '../kb-sync-schemas.ts';
import { HttpProblem } from '../problem.ts';
import { parseInput } from '../validate.ts';

export interface KnowledgeBaseSyncServiceDeps {
  db: Database;
  workflows: KnowledgeBaseSyncWorkflows;
  /** KB_SOURCE_ROOTS, resolved (lib/kb-sync/paths.ts sourceRoots). */
  roots: string[];
  cache: Pick<CacheScope, 'invalidateTags'>;
}

/** The sync's own errors as HTTP problems (the shared table in api/problem.ts knows the knowledge-base ones). */
function asProblem(error: unknown): unknown {
  if (error instanceof SourceSpecError) return HttpProblem.invalid([{ field: error.field, detail: error.message }]);
  if (error instanceof SourceNotFoundError) return new HttpProblem(404, 'Not found', error.message, { code: error.code });
  if (error instanceof SourceLimitError || error instanceof NoSourcesError) return new HttpProblem(409, 'Conflict', error.message, { code: error.code });
  return error;
}
const problems = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw asProblem(error);
  }
};

/** What a client sees of a source: where it reads from and what the last sync made of it. */
export function toSourceView(s: KnowledgeBaseSource) {
  return {
    id: s.id,
    knowledgeBase: s.knowledgeBase,
    ...s.spec,
    fileCount: s.fileCount,
    lastCommit: s.lastCommit,
    lastSyncedAt: s.lastSyncedAt,
    lastError: s.lastError,
    createdAt: s.createdAt,
  };
}

export function toSyncView(run: SyncRun, progress: KnowledgeBaseSyncProgress | undefined) {
  const { done: _done, ...counts } = run.counts;
  return {
    id: run.id,
    knowledgeBase: run.knowledgeBase,
    workflowId: run.workflowId,
    status: run.status,
    counts,
    progress: progress
      ? (({ syncId: _id, ...rest }) => rest)(progress)
      : null,
    error: run.error,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    finishedAt: run.finishedAt,
  };
}

function neverSynced(knowledgeBase: string, workflowId: string) {
  const counts = { scanned: 0, added: 0, changed: 0, renamed: 0, removed: 0, unchanged: 0, failed: 0 };
  return { id: null, knowledgeBase, workflowId, status: 'never' as const, counts, progress: null, error: null, createdAt: null, updatedAt: null, finishedAt: null };
}

export function createKnowledgeBaseSyncService({ db, workflows, roots, cache }: KnowledgeBaseSyncServiceDeps) {
  const changed = (tenant: string) => cache.invalidateTags([knowledgeBasesTag(tenant)]);
  return {
    /** Checks the source (inside KB_SOURCE_ROOTS after realpath; an https or local Git URL) and records it; the same spec again is the same source. */
    addSource: (tenant: string, knowledgeBase: string, body: unknown) =>
      problems(async () => {
        await requireKnowledgeBase(db, tenant, knowledgeBase);
        const input = parseInput(newSourceSchema, body);
        const spec: SourceSpec =
          input.type === 'directory'
            ? { type: 'directory', path: await resolveInsideRoots(input.path, roots, 'path') }
            : { type: 'git', url: await resolveGitUrl(input.url, roots), ...(input.ref ? { ref: input.ref } : {}) };
        const result = await addKnowledgeBaseSource(db, tenant, knowledgeBase, spec);
        if (result.created) await changed(tenant);
        return result;
      }),

    listSources: (tenant: string, knowledgeBase: string) =>
      problems(async () => {
        await requireKnowledgeBase(db, tenant, knowledgeBase);
        return listSources(db, tenant, knowledgeBase);
      }),

    /** Forgets the source and its checkpoint; its documents stay in the knowledge base. */
    removeSource: (tenant: string, knowledgeBase: string, id: string) =>
      problems(async () => {
        await requireKnowledgeBase(db, tenant, knowledgeBase);
        if (!(await deleteSource(db, tenant, knowledgeBase, id))) throw new SourceNotFoundError(id);
        await changed(tenant);
      }),

    /** Starts the knowledge base's sync, or joins the open one (same id, same workflow). */
    startSync: (tenant: string, knowledgeBase: string): Promise<SyncRun> =>
      problems(async () => {
        const kb = await requireKnowledgeBase(db, tenant, knowledgeBase);
        if (kb.status !== 'active') throw new KnowledgeBaseDeletingError(knowledgeBase);
        if ((await listSources(db, tenant, knowledgeBase)).length === 0) throw new NoSourcesError(knowledgeBase);
        const { run, created } = await openSyncRun(db, { tenant, knowledgeBase, workflowId: knowledgeBaseSyncWorkflowId(tenant, knowledgeBase) });
        try {
          await workflows.start(tenant, knowledgeBase, { syncId: run.id });
        } catch (error) {
          if (created) await deleteSyncRun(db, run.id);
          throw error;
        }
        await changed(tenant);
        return run;
      }),

    /** The last sync as its activities recorded it, with the running workflow's live progress when it answers. */
    lastSync: (tenant: string, knowledgeBase: string) =>
      problems(async () => {
        await requireKnowledgeBase(db, tenant, knowledgeBase);
        const run = await latestSyncRun(db, tenant, knowledgeBase);
        // Never synced: a view that says so (the knowledge base exists, so its sync resource does too).
        if (!run) return neverSynced(knowledgeBase, knowledgeBaseSyncWorkflowId(tenant, knowledgeBase));
        const progress = run.status === 'running' ? await workflows.progress(tenant, knowledgeBase) : undefined;
        return toSyncView(run, progress?.syncId === run.id ? progress : undefined);
      }),
  };
}

export type KnowledgeBaseSyncService = ReturnType<typeof createKnowledgeBaseSyncService>;
