/**
 * Schedules against the real Temporal server, PostgreSQL and MailDev, on one
 * platform (API keys on): each kind created through the API with its policies,
 * listed, described, paused, unpaused, triggered, backfilled and deleted; bad cron
 * expressions, time zones and fields answered 400 naming them; tenants and scopes
 * kept apart. Then report delivery: firings missed while the worker is down catch
 * up as the overlap policy says (SKIP: exactly one run, one email), a trigger mails
 * the report again as xlsx, a backfill takes each firing once, and a template's
 * relative range is resolved again at the firing's time. No worker runs until the
 * catch-up test starts one, after its outage.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { createReportDeliveryActivities } from '../../../activities/report-delivery.ts';
import { createScheduleControl, type ScheduleControl } from '../../../client/schedules.ts';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';
import { resolveRelativeRange } from '../../../lib/reports/relative-ranges.ts';
import { requireReport } from '../../../lib/reports/repository.ts';
import { connectWorker } from '../../../worker/ingest-worker.ts';
import { createEmailWorker } from '../../../worker/email-worker.ts';
import { createReportsWorker } from '../../../worker/reports-worker.ts';
import { mailTo, mailWithMessageId, waitForMail } from '../../helpers/maildev.ts';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.ts';
import { deleteSchedulesOf } from '../../helpers/schedules.ts';
import { describeSchedulesApi, type Call, type Json } from './schedules-api.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('Schedules', () => {
  let t: TestPlatform;
  let temporal: Client;
  let connection: Connection;
  let control: ScheduleControl;
  let workerConnection: NativeConnection | undefined;
  let stopWorkers = async () => {};
  let call: (key: string) => Call;
  let operator: Call;
  /** The report every report-delivery Schedule here re-runs. */
  let reportId: string;
  let sourceId: string;
  /** The Schedules the API tests made, by role (backup, kb, delivery, search). */
  const ids: Record<string, string> = {};

  before(async () => {
    t = await startTestPlatform('postgres', { withWorker: false, env: { AUTH: 'on' } });
    await loadGeneratedErp(t.platform.db, { orders: 1_500, seed: 'schedules' }, { copyUrl: t.env.DATABASE_URL });
    connection = await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS });
    temporal = new Client({ connection });
    const { config } = t.platform;
    control = createScheduleControl(temporal, {
      INGEST_TASK_QUEUE: config.INGEST_TASK_QUEUE,
      REPORTS_TASK_QUEUE: config.REPORTS_TASK_QUEUE,
      MAINTENANCE_TASK_QUEUE: config.MAINTENANCE_TASK_QUEUE,
    });
    call = (key) => async (path, init = {}) => {
      const response = await fetch(`${t.api.url}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { authorization: `Bearer ${key}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
    };
    operator = call(t.api.createdOperatorKey!);
    const report = await operator('/v1/reports', {
      body: { title: '地区收入 Revenue by region', source: 'orders', dimensions: ['region'], measures: [{ field: 'revenue', agg: 'sum', as: 'revenue' }], formats: ['csv'] },
    });
    assert.equal(report.status, 202, JSON.stringify(report.body));
    reportId = sourceId = report.body.id;
  });

  after(async () => {
    if (t) await deleteSchedulesOf(t.env, t.platform.config.TEMPORAL_ADDRESS);
    await stopWorkers();
    await workerConnection?.close();
    await connection?.close();
    await t?.close();
  });

  /** Polls a report until it leaves queued/running. */
  async function reportDone(id: string): Promise<Json> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { body } = await operator(`/v1/reports/${id}`);
      if (!['queued', 'running'].includes(body.status)) return body;
      if (Date.now() > deadline) throw new Error(`report ${id} still ${body.status}`);
      await sleep(200);
    }
  }

  async function startWorkers(): Promise<void> {
    workerConnection = await connectWorker(t.platform.config);
    const reports = await createReportsWorker(t.platform, workerConnection);
    const email = await createEmailWorker(t.platform, workerConnection);
    const running = [reports.run(), email.run()];
    stopWorkers = async () => {
      reports.worker.shutdown();
      email.worker.shutdown();
      await Promise.all(running);
      await email.close();
    };
  }

  // The API first, while no worker runs (schedules-api.ts).
  describeSchedulesApi(() => ({ t, temporal, call, operator, reportId, ids }));

  test('firings missed while the worker is down catch up as SKIP says: exactly one run, one email', { timeout: 120_000 }, async () => {
    const recipient = `catch-up-${randomUUID()}@example.com`;
    // Seconds, through the client: cron's minute is too coarse for a test (the API path is tested below).
    const schedule = await control.create({
      tenant: 'default',
      timing: { every: '2s' },
      params: { kind: 'report-delivery', reportId: sourceId, recipients: [{ email: recipient }], format: 'csv', subject: 'catch-up' },
    });
    // The worker is down: the first firing's run waits on the task queue, and SKIP drops the firings behind it.
    const deadline = Date.now() + 30_000;
    let seen = (await control.get('default', schedule.id))!;
    while (seen.counts!.skippedOverlap < 3) {
      if (Date.now() > deadline) throw new Error(`no overlap skips: ${JSON.stringify(seen.counts)}`);
      await sleep(500);
      seen = (await control.get('default', schedule.id))!;
    }
    assert.equal(seen.counts!.actionsTaken, 1);
    assert.equal(seen.runningWorkflowIds!.length, 1);
    const [runId] = seen.runningWorkflowIds!;
    assert.match(runId!, new RegExp(`^deliver-report-${schedule.id}-`));
    // Paused through the API, so later firings do not blur the count once the worker is back.
    const paused = await operator(`/v1/schedules/${schedule.id}/pause`, { method: 'POST' });
    assert.equal(paused.body.paused, true);
    assert.equal((await mailTo(recipient)).length, 0, 'nothing was sent while the worker was down');

    const started = performance.now();
    await startWorkers();
    const result = (await temporal.workflow.getHandle(runId!).result()) as Json;
    assert.equal(result.status, 'sent');
    const mail = await waitForMail(() => mailTo(recipient));
    console.log(`# catch-up: worker back → email in MailDev in ${((performance.now() - started) / 1000).toFixed(1)} s; ${seen.counts!.skippedOverlap}+ firings skipped`);
    await sleep(3_000);
    assert.equal((await mailTo(recipient)).length, 1, 'one run, one email');
    const after = (await control.get('default', schedule.id))!;
    assert.equal(after.counts!.actionsTaken, 1, 'the skipped firings never ran');
    assert.equal(mail[0]!.attachments?.length, 1);
    assert.match(mail[0]!.attachments![0]!.contentType, /^text\/csv/);
  });

  test('a report-delivery Schedule triggered through the API mails the report, re-run, as xlsx into MailDev', { timeout: 120_000 }, async () => {
    const address = `boss-${randomUUID()}@example.com`;
    const created = await operator('/v1/schedules/report-delivery', {
      body: {
        reportId: sourceId,
        cron: '0 9 * * mon',
        timezone: 'Asia/Shanghai',
        recipients: [`老板 <${address}>`],
        format: 'xlsx',
        subject: '周报 Weekly revenue',
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    const triggered = await operator(`/v1/schedules/${id}/trigger`, { method: 'POST' });
    assert.equal(triggered.status, 202);

    const [mail] = await waitForMail(() => mailTo(address), 1, 90_000);
    assert.equal(mail!.subject, '周报 Weekly revenue');
    assert.equal(mail!.attachments?.length, 1);
    const attachment = mail!.attachments![0]!;
    assert.match(attachment.contentType, new RegExp(`^${XLSX.replaceAll('.', '\\.')}`));
    assert.match(attachment.filename ?? attachment.generatedFileName ?? '', /\.xlsx$/);
    assert.equal((await mailWithMessageId(mail!.headers['message-id']!)).length, 1);

    const { body: schedule } = await operator(`/v1/schedules/${id}`);
    const workflowId = schedule.recentActions[0].workflowId as string;
    assert.match(workflowId, new RegExp(`^deliver-report-${id}-`));
    const result = (await temporal.workflow.getHandle(workflowId).result()) as Json;
    assert.notEqual(result.reportId, sourceId, 'a new report each firing');
    const report = await reportDone(result.reportId);
    assert.equal(report.status, 'succeeded');
    assert.equal(report.title, '地区收入 Revenue by region');
    assert.deepEqual(report.artifacts.map((a: Json) => a.format), ['xlsx']);
    assert.equal(attachment.size, report.artifacts[0].bytes, 'the attachment is the report’s file');
  });

  test('a backfill through the API takes each firing in the range once: three firings, three emails', { timeout: 120_000 }, async () => {
    const address = `backfill-${randomUUID()}@example.com`;
    const created = await operator('/v1/schedules/report-delivery', {
      body: {
        reportId: sourceId,
        cron: '*/10 * * * *',
        timezone: 'UTC',
        recipients: [address],
        format: 'csv',
        subject: 'backfilled',
        paused: true,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    // Three past firings of */10, in a range that starts and ends between firings.
    const base = Math.floor(Date.now() / 600_000) * 600_000 - 3_600_000;
    const from = new Date(base + 1000).toISOString();
    const to = new Date(base + 30 * 60_000 + 1000).toISOString();
    const started = performance.now();
    const backfill = await operator(`/v1/schedules/${id}/backfill`, { body: { from, to } });
    assert.equal(backfill.status, 202, JSON.stringify(backfill.body));
    assert.equal(backfill.body.firings, 3);

    const mails = await waitForMail(() => mailTo(address), 3, 90_000);
    console.log(`# backfill: 3 firings → 3 emails in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await sleep(2_000);
    assert.equal((await mailTo(address)).length, 3, 'each firing once');
    assert.equal(new Set(mails.map((m) => m.headers['message-id'])).size, 3, 'three messages, not one sent thrice');
    const { body: schedule } = await operator(`/v1/schedules/${id}`);
    const taken = (schedule.recentActions as Json[]).map((a) => a.scheduledAt as string).sort();
    assert.equal(taken.length, 3);
    for (const at of taken) assert.ok(at >= from && at < to, `${at} in [${from}, ${to})`);
    assert.equal(schedule.paused, true, 'a backfill runs even while the Schedule is paused');
  });

  test('a template’s relative range is resolved again at the firing’s time', async () => {
    const template = await operator('/v1/report-templates', {
      body: {
        name: `weekly ${randomUUID()}`,
        parameters: [{ name: 'period', type: 'relative_range', default: 'last_7_days' }],
        spec: {
          title: 'Last week',
          source: 'orders',
          dimensions: ['region'],
          measures: [{ field: 'revenue', agg: 'sum', as: 'revenue' }],
          filters: [{ field: 'ordered_at', op: 'between', value: { param: 'period' } }],
          formats: ['csv'],
        },
      },
    });
    assert.equal(template.status, 201, JSON.stringify(template.body));
    const source = await operator('/v1/reports', { body: { templateId: template.body.id } });
    assert.equal(source.status, 202, JSON.stringify(source.body));
    const activities = createReportDeliveryActivities({ db: t.platform.db, timeZone: 'UTC', emailTaskQueue: 'unused', messageIdDomain: 'example.com' });
    const firing = { tenant: 'default', reportId: source.body.id, recipients: [{ email: 'x@example.com' }], format: 'xlsx' as const, subject: 's' };
    const first = await activities.prepareDeliveredReport({ ...firing, workflowId: 'deliver-report-x-2026-03-16T01:00:00Z', firedAt: '2026-03-16T01:00:00.000Z' });
    const made = await requireReport(t.platform.db, first.reportId);
    assert.deepEqual(made.spec.filters[0]!.value, resolveRelativeRange('last_7_days', '2026-03-16'));
    assert.deepEqual(made.spec.formats, ['xlsx']);
    assert.equal(made.templateId, template.body.id);
    // The same firing again (a retry) is the same row.
    const again = await activities.prepareDeliveredReport({ ...firing, workflowId: 'deliver-report-x-2026-03-16T01:00:00Z', firedAt: '2026-03-16T01:00:00.000Z' });
    assert.equal(again.reportId, first.reportId);
  });
});
