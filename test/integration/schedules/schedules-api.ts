/**
 * The Schedules API's own checks, run by schedules.test.ts on its platform before
 * any worker starts: each kind created with its policies and seen in Temporal,
 * controls, 400s naming the field, and tenants and scopes kept apart.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { TestPlatform } from '../../helpers/platform.ts';

export type Json = Record<string, any>;
export type Call = (path: string, init?: { method?: string; body?: unknown }) => Promise<{ status: number; body: Json; headers: Headers }>;

export interface ApiContext {
  t: TestPlatform;
  temporal: Client;
  call: (key: string) => Call;
  operator: Call;
  /** A report of the default tenant, for report-delivery Schedules. */
  reportId: string;
  /** Filled here: the Schedules made, by role. */
  ids: Record<string, string>;
}

export function describeSchedulesApi(ctx: () => ApiContext): void {
  describe('the Schedules API', () => {
    /** Listing goes through Temporal's visibility store: a new Schedule shows within moments. */
    async function listUntil(who: Call, ok: (items: Json[]) => boolean, query = ''): Promise<Json[]> {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const { status, body } = await who(`/v1/schedules${query}`);
        assert.equal(status, 200, JSON.stringify(body));
        if (ok(body.items)) return body.items;
        if (Date.now() > deadline) throw new Error(`list never matched: ${JSON.stringify(body.items.map((s: Json) => s.id))}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }

    test('each kind is created as a Temporal Schedule with its overlap policy and catch-up window', async () => {
      const { operator, reportId, ids } = ctx();
      const backup = await operator('/v1/schedules/backup', { body: { cron: '0 2 * * *', timezone: 'Asia/Shanghai' } });
      assert.equal(backup.status, 201, JSON.stringify(backup.body));
      assert.match(backup.body.id, /^backup-[0-9a-f]{12}$/);
      assert.equal(backup.headers.get('location'), `/v1/schedules/${backup.body.id}`);
      assert.deepEqual([backup.body.overlapPolicy, backup.body.catchupWindow, backup.body.cron, backup.body.timezone], ['SKIP', '1d', '0 2 * * *', 'Asia/Shanghai']);
      // 02:00 in Shanghai is 18:00 UTC the day before.
      assert.match(backup.body.nextActionTimes[0], /T18:00:00\.000Z$/);

      const kb = await operator('/v1/schedules/kb-sync', { body: { knowledgeBaseId: 'default', cron: '0 * * * *' } });
      assert.equal(kb.status, 201, JSON.stringify(kb.body));
      assert.deepEqual([kb.body.overlapPolicy, kb.body.catchupWindow, kb.body.timezone, kb.body.knowledgeBaseId], ['BUFFER_ONE', '1h', 'UTC', 'default']);

      const delivery = await operator('/v1/schedules/report-delivery', {
        body: { reportId, cron: '0 9 * * mon', timezone: 'Asia/Shanghai', recipients: ['老板 <boss@example.com>', { email: 'cfo@example.com' }], format: 'xlsx', subject: '周报' },
      });
      assert.equal(delivery.status, 201, JSON.stringify(delivery.body));
      assert.deepEqual(delivery.body.recipients, [{ email: 'boss@example.com', name: '老板' }, { email: 'cfo@example.com' }]);
      assert.deepEqual([delivery.body.overlapPolicy, delivery.body.catchupWindow, delivery.body.format], ['SKIP', '1d', 'xlsx']);

      const search = await operator('/v1/schedules/search-sync', { body: { everyMinutes: 30 } });
      assert.equal(search.status, 201, JSON.stringify(search.body));
      assert.deepEqual([search.body.every, search.body.overlapPolicy, search.body.catchupWindow], ['30m', 'SKIP', '10m']);
      Object.assign(ids, { backup: backup.body.id, kb: kb.body.id, delivery: delivery.body.id, search: search.body.id });

      // What the Temporal server holds (and the Web UI shows): the action, its queue and the policies.
      const described = await ctx().temporal.schedule.getHandle(ids.delivery!).describe();
      assert.equal(described.action.type, 'startWorkflow');
      assert.equal(described.action.workflowType, 'deliverReport');
      assert.equal(described.action.taskQueue, ctx().t.env.REPORTS_TASK_QUEUE);
      assert.equal(described.policies.overlap, 'SKIP');
      assert.equal(described.policies.catchupWindow, 86_400_000);
      assert.equal((await ctx().temporal.schedule.getHandle(ids.kb!).describe()).action.taskQueue, ctx().t.env.MAINTENANCE_TASK_QUEUE);

      const listed = await listUntil(operator, (items) => Object.values(ids).every((id) => items.some((s) => s.id === id)));
      assert.equal(listed.length, 4);
      const one = await operator(`/v1/schedules/${ids.kb}`);
      assert.equal(one.status, 200);
      assert.deepEqual(one.body.counts, { actionsTaken: 0, skippedOverlap: 0, missedCatchupWindow: 0 });
      assert.ok(one.body.createdAt);
      const page = await operator('/v1/schedules?limit=3');
      assert.equal(page.body.items.length, 3);
      const rest = await operator(`/v1/schedules?limit=3&cursor=${page.body.nextCursor}`);
      assert.equal(rest.body.items.length, 1);
      assert.equal((await operator('/v1/schedules?kind=backup')).body.items.length, 1);
    });

    test('pause, unpause, trigger, backfill and delete act on the Schedule', async () => {
      const { operator } = ctx();
      const made = await operator('/v1/schedules/search-sync', { body: { cron: '*/10 * * * *' } });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const id = made.body.id as string;

      const paused = await operator(`/v1/schedules/${id}/pause`, { method: 'POST' });
      assert.equal(paused.status, 200);
      assert.equal(paused.body.paused, true);
      assert.equal((await ctx().temporal.schedule.getHandle(id).describe()).state.paused, true);
      const unpaused = await operator(`/v1/schedules/${id}/unpause`, { method: 'POST' });
      assert.equal(unpaused.body.paused, false);

      const triggered = await operator(`/v1/schedules/${id}/trigger`, { method: 'POST' });
      assert.equal(triggered.status, 202);
      assert.equal(triggered.body.status, 'triggered');

      const deadline = Date.now() + 15_000;
      let seen = (await operator(`/v1/schedules/${id}`)).body;
      while (seen.recentActions.length === 0) {
        if (Date.now() > deadline) throw new Error('the trigger took no action');
        await new Promise((r) => setTimeout(r, 300));
        seen = (await operator(`/v1/schedules/${id}`)).body;
      }
      assert.match(seen.recentActions[0].workflowId, new RegExp(`^search-sync-request-${id}-`));
      assert.equal(seen.counts.actionsTaken, 1);

      // Five past firings of */10 in a range that starts and ends between firings (they run in delivery.test.ts).
      const base = Math.floor(Date.now() / 600_000) * 600_000 - 3_600_000;
      const from = new Date(base + 1000);
      const to = new Date(base + 50 * 60_000 + 1000);
      const backfill = await operator(`/v1/schedules/${id}/backfill`, { body: { from: from.toISOString(), to: to.toISOString() } });
      assert.equal(backfill.status, 202, JSON.stringify(backfill.body));
      assert.deepEqual([backfill.body.status, backfill.body.firings, backfill.body.overlapPolicy], ['backfilling', 5, 'BUFFER_ALL']);

      const removed = await operator(`/v1/schedules/${id}`, { method: 'DELETE' });
      assert.equal(removed.status, 204);
      assert.equal((await operator(`/v1/schedules/${id}`)).status, 404);
      await assert.rejects(ctx().temporal.schedule.getHandle(id).describe(), ScheduleNotFoundError);
    });

    test('a bad cron expression, time zone or field is a 400 naming it', async () => {
      const { operator, reportId, ids } = ctx();
      const names = async (path: string, body: unknown, field: string) => {
        const { status, body: problem, headers } = await operator(path, { body });
        assert.equal(status, 400, `${JSON.stringify(body)} → ${status} ${JSON.stringify(problem)}`);
        assert.match(headers.get('content-type') ?? '', /application\/problem\+json/);
        assert.ok(problem.errors.some((e: Json) => e.field === field), `${JSON.stringify(body)}: expected ${field} in ${JSON.stringify(problem.errors)}`);
      };
      for (const cron of ['61 * * * *', '0 2 * *', '0 2 * * * *', '0 0 L * *', '0 9 * * 1#2', '0 9 1 * mon', 'every day', '']) {
        await names('/v1/schedules/backup', { cron }, 'cron');
      }
      await names('/v1/schedules/backup', { cron: '0 2 * * *', timezone: 'Mars/Olympus_Mons' }, 'timezone');
      await names('/v1/schedules/backup', { cron: '0 2 * * *', timezone: '../etc/passwd' }, 'timezone');
      await names('/v1/schedules/backup', { cron: '0 2 * * *', retention: 7 }, '(body)');
      await names('/v1/schedules/kb-sync', { knowledgeBaseId: 'no-such-kb', cron: '0 * * * *' }, 'knowledgeBaseId');
      const delivery = { reportId, cron: '0 9 * * 1', timezone: 'UTC', recipients: ['a@example.com'], format: 'xlsx', subject: 'weekly' };
      await names('/v1/schedules/report-delivery', { ...delivery, reportId: 'rpt_000000000000000000000000' }, 'reportId');
      await names('/v1/schedules/report-delivery', { ...delivery, recipients: ['a@example.com\r\nBcc: spy@example.com'] }, 'recipients.0');
      await names('/v1/schedules/report-delivery', { ...delivery, recipients: [{ name: 'x\ny', email: 'a@example.com' }] }, 'recipients.0.name');
      await names('/v1/schedules/report-delivery', { ...delivery, subject: 'hi\r\nBcc: spy@example.com' }, 'subject');
      await names('/v1/schedules/report-delivery', { ...delivery, timezone: undefined }, 'timezone');
      await names('/v1/schedules/report-delivery', { ...delivery, format: 'docx' }, 'format');
      await names('/v1/schedules/search-sync', { cron: '0 * * * *', everyMinutes: 5 }, 'cron');
      await names('/v1/schedules/search-sync', {}, 'cron');
      const now = Date.now();
      await names(`/v1/schedules/${ids.backup}/backfill`, { from: new Date(now - 3600_000).toISOString(), to: new Date(now - 7200_000).toISOString() }, 'to');
      await names(`/v1/schedules/${ids.backup}/backfill`, { from: new Date(now - 3600_000).toISOString(), to: new Date(now + 3600_000).toISOString() }, 'to');
      await names(`/v1/schedules/${ids.backup}/backfill`, { from: new Date(now - 40 * 86_400_000).toISOString(), to: new Date(now - 1000).toISOString() }, 'to');
      // A nightly backup has no firing in a past hour that skips 02:00 Shanghai.
      const quiet = Math.floor(now / 86_400_000) * 86_400_000 - 86_400_000 + 3_600_000;
      await names(`/v1/schedules/${ids.backup}/backfill`, { from: new Date(quiet).toISOString(), to: new Date(quiet + 3_600_000).toISOString() }, 'from');
      assert.equal((await operator('/v1/schedules/nightly', { body: { cron: '0 2 * * *' } })).status, 404);
      assert.equal((await operator('/v1/schedules/Not_An_Id!')).status, 400);
    });

    test('a key sees only its tenant’s Schedules, of the kinds its scopes cover', async () => {
      const { operator, call, reportId, ids } = ctx();
      const key = async (body: Json): Promise<Call> => {
        const made = await operator('/v1/api-keys', { body });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        return call(made.body.key as string);
      };
      const reporter = await key({ name: 'reports only', scopes: ['reports'] });
      const stranger = await key({ name: 'another tenant', scopes: ['reports', 'documents:write'], tenant: 'acme' });

      assert.equal((await reporter('/v1/schedules/backup', { body: { cron: '0 2 * * *' } })).status, 403);
      const mine = await listUntil(reporter, (items) => items.some((s) => s.id === ids.delivery));
      assert.deepEqual([...new Set(mine.map((s) => s.kind))], ['report-delivery']);
      assert.equal((await reporter(`/v1/schedules/${ids.backup}`)).status, 404);
      assert.equal((await reporter(`/v1/schedules/${ids.backup}/trigger`, { method: 'POST' })).status, 404);
      assert.equal((await reporter(`/v1/schedules/${ids.delivery}`)).status, 200);

      for (const id of [ids.delivery, ids.kb]) {
        assert.equal((await stranger(`/v1/schedules/${id}`)).status, 404);
        assert.equal((await stranger(`/v1/schedules/${id}/pause`, { method: 'POST' })).status, 404);
        assert.equal((await stranger(`/v1/schedules/${id}`, { method: 'DELETE' })).status, 404);
      }
      assert.deepEqual((await stranger('/v1/schedules')).body.items, []);
      assert.equal((await ctx().temporal.schedule.getHandle(ids.delivery!).describe()).state.paused, false, 'another tenant paused nothing');
      // Another tenant's report is as absent as a missing one.
      const theirs = await stranger('/v1/schedules/report-delivery', {
        body: { reportId, cron: '0 9 * * 1', timezone: 'UTC', recipients: ['a@example.com'], format: 'csv', subject: 'x' },
      });
      assert.equal(theirs.status, 400);
    });
  });
}
