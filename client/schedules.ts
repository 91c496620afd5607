import { randomBytes } from 'node:crypto';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleExecutionResult,
  type ScheduleHandle,
  type ScheduleOptions,
} from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { Mailbox } from '../lib/email/types.ts';
import type { ReportFormat } from '../lib/reports/types.ts';
import { BACKFILL_OVERLAP, durationText, KIND_POLICIES, SCHEDULE_KINDS, type KindPolicy, type ScheduleKind } from '../lib/schedules/kinds.ts';
import { reconcileScheduleId, searchAttributes, searchSyncScheduleId, warmCacheScheduleId } from '../workflows/definitions.ts';
import type { BackupPlatformInput, SyncKnowledgeBaseInput } from '../workflows/maintenance-definitions.ts';
import type { DeliverReportInput } from '../workflows/report-delivery-definitions.ts';
import { WorkflowEngineUnavailableError } from './documents.ts';

/**
 * Creates (or brings up to date) the Schedule that runs `reconcileDocuments` on a
 * task queue every `everyMinutes`, visible and pausable in the Web UI. One run at
 * a time; a run missed while the server was down is caught up within 10 minutes.
 */
export function ensureReconcileSchedule(client: Client, taskQueue: string, everyMinutes: number): Promise<string> {
  return ensureSchedule(client, reconcileScheduleId(taskQueue), 'reconcileDocuments', 'reconcile', taskQueue, everyMinutes);
}

/** The Schedule that runs `warmCache` (the busiest search queries' vectors into the cache) every `everyMinutes`. */
export function ensureWarmCacheSchedule(client: Client, taskQueue: string, everyMinutes: number): Promise<string> {
  return ensureSchedule(client, warmCacheScheduleId(taskQueue), 'warmCache', 'warm-cache', taskQueue, everyMinutes);
}

/**
 * The Schedule that asks for a search sync every `everyMinutes`: changes whose own
 * request was lost, or made outside the platform's workflows, reach search within it.
 */
export function ensureSearchSyncSchedule(client: Client, taskQueue: string, everyMinutes: number): Promise<string> {
  return ensureSchedule(client, searchSyncScheduleId(taskQueue), 'scheduledSearchSync', 'search-sync', taskQueue, everyMinutes);
}

async function ensureSchedule(client: Client, scheduleId: string, workflowType: string, jobKind: string, taskQueue: string, everyMinutes: number) {
  const options: ScheduleOptions = {
    scheduleId,
    spec: { intervals: [{ every: `${everyMinutes}m` }] },
    action: {
      type: 'startWorkflow',
      workflowType,
      taskQueue,
      args: [{}],
      typedSearchAttributes: [{ key: searchAttributes.jobKind, value: jobKind }],
    },
    policies: { overlap: 'SKIP', catchupWindow: '10m' },
  };
  try {
    await client.schedule.create(options);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  }
  return scheduleId;
}

/**
 * When a managed Schedule fires: a checked cron expression in a time zone, or a
 * fixed interval (a Temporal duration such as `15m`; the API offers whole minutes,
 * tests use seconds).
 */
export type ScheduleTiming = { cron: string; timezone: string } | { every: string };

/** What the Schedule's action needs besides its kind: shown back by the API as `params`. */
export type ScheduleParams =
  | { kind: 'backup' }
  | { kind: 'kb-sync'; knowledgeBaseId: string }
  | { kind: 'report-delivery'; reportId: string; recipients: Mailbox[]; format: ReportFormat; subject: string }
  | { kind: 'search-sync' };

/** Kept in the Schedule's memo: whose it is and what it was asked to do, as given. */
interface ManagedMemo {
  tenant: string;
  kind: ScheduleKind;
  /** The deployment's task queue it starts runs on: Schedules of other deployments sharing the server are not ours. */
  taskQueue: string;
  timing: ScheduleTiming;
  params: Record<string, unknown>;
}

export interface ScheduleAction {
  scheduledAt: string;
  takenAt: string;
  workflowId: string;
}

/** A managed Schedule as the API shows it. */
export interface ManagedSchedule {
  id: string;
  kind: ScheduleKind;
  tenant: string;
  timing: ScheduleTiming;
  params: Record<string, unknown>;
  paused: boolean;
  note: string | null;
  overlap: string;
  catchupWindow: string;
  recentActions: ScheduleAction[];
  nextActionTimes: string[];
  /** Only from `get` (a describe): counts since creation and the runs open now. */
  counts?: { actionsTaken: number; skippedOverlap: number; missedCatchupWindow: number };
  runningWorkflowIds?: string[];
  createdAt?: string;
}

export type TaskQueues = Record<KindPolicy['queue'], string>;

/** The base of each firing's workflow id; Temporal appends the firing time (`…-2026-12-01T02:00:00Z`). */
const actionWorkflowId: Record<ScheduleKind, (scheduleId: string) => string> = {
  backup: (id) => `backup-${id}`,
  'kb-sync': (id) => `kb-sync-${id}`,
  'report-delivery': (id) => `deliver-report-${id}`,
  'search-sync': (id) => `search-sync-request-${id}`,
};

function actionArgs(scheduleId: string, tenant: string, params: ScheduleParams): unknown[] {
  switch (params.kind) {
    case 'backup':
      return [{ scheduleId } satisfies BackupPlatformInput];
    case 'kb-sync':
      return [{ tenant, knowledgeBaseId: params.knowledgeBaseId } satisfies SyncKnowledgeBaseInput];
    case 'report-delivery': {
      const { kind: _, ...rest } = params;
      return [{ tenant, ...rest, scheduleId } satisfies DeliverReportInput];
    }
    case 'search-sync':
      return [{}];
  }
}

const temporalSpec = (timing: ScheduleTiming): ScheduleOptions['spec'] =>
  'cron' in timing ? { cronExpressions: [timing.cron], timezone: timing.timezone } : { intervals: [{ every: timing.every as Duration }] };

const iso = (d: Date) => d.toISOString();
const workflowIdOf = (a: ScheduleExecutionResult) => a.action.workflow.workflowId;

/**
 * The Schedules the API manages (backup, kb-sync, report-delivery, search-sync):
 * created with their kind's overlap policy and catch-up window (lib/schedules/kinds.ts),
 * tenant and kind in the memo and as search attributes, and only ever shown to or
 * changed by their own tenant (another's is as absent as a missing one). Throws
 * WorkflowEngineUnavailableError when Temporal does not answer.
 */
export function createScheduleControl(client: Client, queues: TaskQueues) {
  const queueOf = (kind: ScheduleKind) => queues[KIND_POLICIES[kind].queue];
  const engine = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ScheduleNotFoundError || error instanceof ScheduleAlreadyRunning) throw error;
      throw new WorkflowEngineUnavailableError(error);
    }
  };
  const ours = (memo: Record<string, unknown> | undefined, tenant: string): memo is ManagedMemo & Record<string, unknown> => {
    const m = memo as Partial<ManagedMemo> | undefined;
    return !!m && m.tenant === tenant && (SCHEDULE_KINDS as readonly unknown[]).includes(m.kind) && m.taskQueue === queueOf(m.kind!);
  };
  const base = (id: string, memo: ManagedMemo, state: { paused: boolean; note?: string }, info: { recentActions: ScheduleExecutionResult[]; nextActionTimes: Date[] }) => ({
    id,
    kind: memo.kind,
    tenant: memo.tenant,
    timing: memo.timing,
    params: memo.params,
    paused: state.paused,
    note: state.note || null,
    overlap: KIND_POLICIES[memo.kind].overlap as string,
    catchupWindow: durationText(KIND_POLICIES[memo.kind].catchupWindowMs),
    recentActions: info.recentActions.map((a) => ({ scheduledAt: iso(a.scheduledAt), takenAt: iso(a.takenAt), workflowId: workflowIdOf(a) })),
    nextActionTimes: info.nextActionTimes.map(iso),
  });

  /** The tenant's Schedule described, or undefined (missing, another tenant's, another deployment's). */
  async function describe(tenant: string, id: string): Promise<ManagedSchedule | undefined> {
    let d;
    try {
      d = await engine(() => client.schedule.getHandle(id).describe());
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) return undefined;
      throw error;
    }
    if (!ours(d.memo, tenant)) return undefined;
    return {
      ...base(id, d.memo, d.state, d.info),
      overlap: d.policies.overlap ?? 'SKIP',
      catchupWindow: durationText(d.policies.catchupWindow),
      counts: {
        actionsTaken: d.info.numActionsTaken,
        skippedOverlap: d.info.numActionsSkippedOverlap,
        missedCatchupWindow: d.info.numActionsMissedCatchupWindow,
      },
      runningWorkflowIds: d.info.runningActions.map((a) => a.workflow.workflowId),
      createdAt: iso(d.info.createdAt),
    };
  }

  /** Runs `act` on the tenant's Schedule; false when it is not theirs to touch. */
  async function act(tenant: string, id: string, work: (handle: ScheduleHandle) => Promise<void>): Promise<boolean> {
    if (!(await describe(tenant, id))) return false;
    await engine(() => work(client.schedule.getHandle(id)));
    return true;
  }

  return {
    /**
     * Creates a Schedule (`ifExists: 'update'`: or brings the one under `id` up to
     * date, for npm start's defaults). Its id is `id` or `<kind>-<12 hex>`.
     */
    async create(input: { tenant: string; timing: ScheduleTiming; params: ScheduleParams; paused?: boolean; id?: string; ifExists?: 'fail' | 'update' }): Promise<ManagedSchedule> {
      const { kind } = input.params;
      const policy = KIND_POLICIES[kind];
      const scheduleId = input.id ?? `${kind}-${randomBytes(6).toString('hex')}`;
      const { kind: _, ...params } = input.params;
      const memo: ManagedMemo = { tenant: input.tenant, kind, taskQueue: queueOf(kind), timing: input.timing, params };
      const options = {
        scheduleId,
        spec: temporalSpec(input.timing),
        action: {
          type: 'startWorkflow' as const,
          workflowType: policy.workflowType,
          workflowId: actionWorkflowId[kind](scheduleId),
          taskQueue: queueOf(kind),
          args: actionArgs(scheduleId, input.tenant, input.params),
          typedSearchAttributes: [
            { key: searchAttributes.jobKind, value: policy.jobKind },
            { key: searchAttributes.tenant, value: input.tenant },
          ],
        },
        policies: { overlap: policy.overlap, catchupWindow: policy.catchupWindowMs },
        state: { paused: input.paused ?? false },
        memo: memo as unknown as Record<string, unknown>,
        typedSearchAttributes: [
          { key: searchAttributes.jobKind, value: `schedule:${kind}` },
          { key: searchAttributes.tenant, value: input.tenant },
        ],
      } satisfies ScheduleOptions;
      try {
        await engine(() => client.schedule.create(options));
      } catch (error) {
        if (!(error instanceof ScheduleAlreadyRunning) || input.ifExists !== 'update') throw error;
        await engine(() =>
          client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies })),
        );
      }
      const created = await describe(input.tenant, scheduleId);
      if (!created) throw new WorkflowEngineUnavailableError(new Error(`schedule ${scheduleId} is not visible after creation`));
      return created;
    },

    /** The tenant's Schedules of this deployment, by id. Listing is eventually consistent: a new one shows within moments. */
    async list(tenant: string): Promise<ManagedSchedule[]> {
      return engine(async () => {
        const found: ManagedSchedule[] = [];
        for await (const s of client.schedule.list({ pageSize: 1000 })) {
          if (ours(s.memo, tenant)) found.push(base(s.scheduleId, s.memo, s.state, s.info));
        }
        return found.sort((a, b) => a.id.localeCompare(b.id));
      });
    },

    get: describe,
    pause: (tenant: string, id: string, note?: string) => act(tenant, id, (h) => h.pause(note ?? 'paused through the API')),
    unpause: (tenant: string, id: string, note?: string) => act(tenant, id, (h) => h.unpause(note ?? 'unpaused through the API')),
    /** Fires now, under the Schedule's own overlap policy (a trigger while a SKIP Schedule's run is open does nothing). */
    trigger: (tenant: string, id: string) => act(tenant, id, (h) => h.trigger()),
    /** Takes every firing in [from, to) now, one after another. */
    backfill: (tenant: string, id: string, from: Date, to: Date) => act(tenant, id, (h) => h.backfill({ start: from, end: to, overlap: BACKFILL_OVERLAP })),
    /** Removes the Schedule; runs it started go on to their end. */
    delete: (tenant: string, id: string) => act(tenant, id, (h) => h.delete()),
  };
}

export type ScheduleControl = ReturnType<typeof createScheduleControl>;
