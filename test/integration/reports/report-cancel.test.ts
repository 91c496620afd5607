import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.ts';
import { doneMeansReport, getJson, post, waitForReport } from './report-helpers.ts';

/** Cancelling a running report: its run stops, it shows `cancelled`, and no file of it is left. */
describe('cancelling a report on postgres', () => {
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform('postgres');
    await loadGeneratedErp(t.platform.db, { orders: 5_000, seed: 'reports-cancel' }, { copyUrl: t.env.DATABASE_URL });
  });
  after(async () => t?.close());

  test('a running report is cancelled: status cancelled, files removed, the run closed as cancelled', { timeout: 120_000 }, async (ctx) => {
    // Every format and chart: long enough to be caught running.
    const submitted = await post(t.api.url, '/v1/reports', { ...doneMeansReport, formats: ['xlsx', 'pdf', 'csv', 'json'] });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    const id = submitted.body.id as string;
    for (let seen = ''; seen !== 'running'; ) {
      seen = (await getJson(t.api.url, `/v1/reports/${id}`)).body.status;
      assert.ok(['queued', 'running'].includes(seen), `the report ${seen} before it could be cancelled`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Progress is also a query on the run itself (what the Web UI and the CLI ask).
    const connection = await Connection.connect({ address: t.platform.config.TEMPORAL_ADDRESS });
    ctx.after(() => connection.close());
    const handle = new Client({ connection }).workflow.getHandle(`report-${id}`);
    const live = await handle.query<{ stage: string; progress: number }>('progress');
    assert.ok(['compile', 'query', 'analyse', 'render', 'export'].includes(live.stage), JSON.stringify(live));
    assert.ok(live.progress > 0 && live.progress < 1);
    const cancelled = await post(t.api.url, `/v1/reports/${id}/cancel`, {});
    assert.equal(cancelled.status, 202, JSON.stringify(cancelled.body));
    const started = performance.now();
    const report = await waitForReport(t.api.url, id);
    console.log(`# cancelled in ${Math.round(performance.now() - started)} ms, at stage ${report.stage}`);
    assert.equal(report.status, 'cancelled');
    assert.deepEqual(report.error, { code: 'E_CANCELLED', message: 'the report was cancelled' });
    assert.deepEqual(report.artifacts, []);
    const left: string[] = [];
    for await (const blob of t.platform.blobs.list(`reports/${id}/`)) left.push(blob.key);
    assert.deepEqual(left, []);
    assert.equal((await fetch(`${t.api.url}/v1/reports/${id}/artifacts/pdf`)).status, 409);
    assert.equal((await post(t.api.url, `/v1/reports/${id}/cancel`, {})).status, 409, 'a finished report cannot be cancelled');

    assert.equal((await handle.describe()).status.name, 'CANCELLED');
  });
});

describe('a report over a query limit, on pglite', () => {
  let t: TestPlatform;
  before(async () => {
    // A cost ceiling of 1: every query's plan is over it, so the report fails in the workflow (the API's check is of names only).
    t = await startTestPlatform('pglite', { env: { ANALYTICS_MAX_COST: '1' } });
    await loadGeneratedErp(t.platform.db, { orders: 500, seed: 'reports-limit' });
  });
  after(async () => t?.close());

  test('fails for good with the limit recorded, no retries, no files; the API keeps serving', { timeout: 60_000 }, async () => {
    const submitted = await post(t.api.url, '/v1/reports', { ...doneMeansReport, title: 'too costly' });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    const report = await waitForReport(t.api.url, submitted.body.id);
    assert.equal(report.status, 'failed');
    assert.equal(report.error.code, 'E_QUERY_TOO_EXPENSIVE');
    assert.deepEqual(report.artifacts, []);
    const left: string[] = [];
    for await (const blob of t.platform.blobs.list(`reports/${submitted.body.id}/`)) left.push(blob.key);
    assert.deepEqual(left, []);
    assert.equal((await getJson(t.api.url, `/v1/reports/${submitted.body.id}`)).status, 200);
  });
});
