import { Router, type Response } from 'express';
import type { ManagedSchedule } from '../../client/schedules.ts';
import { grants, type Scope } from '../../lib/identity/scopes.ts';
import { SCHEDULE_KINDS, type ScheduleKind } from '../../lib/schedules/kinds.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { identityOf, tenantOf } from '../middleware/auth.ts';
import { HttpProblem } from '../problem.ts';
import { scheduleCursor, scheduleId, scheduleListQuery } from '../schedule-schemas.ts';
import type { KindAccess, ScheduleService } from '../services/schedules.ts';
import { parseInput } from '../validate.ts';

/**
 * The scope each kind needs: backups and search syncs touch every tenant's data
 * (the operator's `tenants`), a knowledge base's sync writes documents, a report
 * delivery runs reports.
 */
export const SCHEDULE_SCOPES: Record<ScheduleKind, Scope> = {
  backup: 'tenants',
  'kb-sync': 'documents:write',
  'report-delivery': 'reports',
  'search-sync': 'tenants',
};

/** What a client sees of a Schedule (the tenant is the caller's own, so not repeated). */
export function toScheduleView(s: ManagedSchedule) {
  return {
    id: s.id,
    kind: s.kind,
    ...s.timing,
    ...s.params,
    paused: s.paused,
    note: s.note,
    overlapPolicy: s.overlap,
    catchupWindow: s.catchupWindow,
    recentActions: s.recentActions,
    nextActionTimes: s.nextActionTimes,
    ...(s.counts ? { counts: s.counts, runningWorkflowIds: s.runningWorkflowIds ?? [], createdAt: s.createdAt ?? null } : {}),
  };
}

export function createSchedulesRouter({ schedules }: { schedules: ScheduleService }): Router {
  const router = Router();
  const readJson = createJsonBodyReader(64 * 1024, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 64 KiB' });
  const body = async (req: Parameters<typeof readJson>[0], res: Response) => (req.is('application/json') ? ((await readJson(req, res)) ?? {}) : {});
  const access = (res: Response): KindAccess => {
    const held = identityOf(res).scopes;
    return (kind) => grants(held, SCHEDULE_SCOPES[kind]);
  };
  const idParam = (value: unknown) => parseInput(scheduleId, value, 'id');

  router.get('/', async (req, res) => {
    const query = parseInput(scheduleListQuery, req.query);
    const after = query.cursor ? decodeCursor(scheduleCursor, query.cursor).id : undefined;
    const page = await schedules.list(tenantOf(res), access(res), { kind: query.kind, limit: query.limit, after });
    res.set('cache-control', 'no-store').json({ items: page.items.map(toScheduleView), nextCursor: page.next ? encodeCursor({ id: page.next }) : null });
  });

  // POST /v1/schedules/:kind creates; the same position holds a Schedule's id for GET and DELETE.
  router.post('/:kind', async (req, res) => {
    const kind = req.params.kind as ScheduleKind;
    if (!(SCHEDULE_KINDS as readonly string[]).includes(kind)) {
      throw new HttpProblem(404, 'Not found', `no kind of schedule ${JSON.stringify(kind)}: one of ${SCHEDULE_KINDS.join(', ')}`, { code: 'E_NOT_FOUND' });
    }
    if (!access(res)(kind)) throw new HttpProblem(403, 'Forbidden', `this API key lacks the "${SCHEDULE_SCOPES[kind]}" scope`, { code: 'E_FORBIDDEN' });
    const created = await schedules.create(tenantOf(res), kind, await body(req, res));
    res.status(201).location(`/v1/schedules/${created.id}`).json(toScheduleView(created));
  });

  router.get('/:id', async (req, res) => {
    res.set('cache-control', 'no-store').json(toScheduleView(await schedules.get(tenantOf(res), idParam(req.params.id), access(res))));
  });

  router.delete('/:id', async (req, res) => {
    await schedules.remove(tenantOf(res), idParam(req.params.id), access(res));
    res.status(204).end();
  });

  router.post('/:id/pause', async (req, res) => {
    res.json(toScheduleView(await schedules.pause(tenantOf(res), idParam(req.params.id), access(res))));
  });

  router.post('/:id/unpause', async (req, res) => {
    res.json(toScheduleView(await schedules.unpause(tenantOf(res), idParam(req.params.id), access(res))));
  });

  router.post('/:id/trigger', async (req, res) => {
    const schedule = await schedules.trigger(tenantOf(res), idParam(req.params.id), access(res));
    res.status(202).json({ id: schedule.id, status: 'triggered', overlapPolicy: schedule.overlap });
  });

  router.post('/:id/backfill', async (req, res) => {
    const id = idParam(req.params.id);
    const result = await schedules.backfill(tenantOf(res), id, access(res), await body(req, res));
    res.status(202).json({ id, status: 'backfilling', from: result.from, to: result.to, firings: result.firings, overlapPolicy: 'BUFFER_ALL' });
  });

  return router;
}
