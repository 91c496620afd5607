/** The Done-means report end to end, on one engine; each engine's run is its own test file (about 30–60 s each). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadGeneratedErp } from '../../../lib/erp/generate-load.ts';
import { startTestPlatform, type Engine, type TestPlatform } from '../../helpers/platform.ts';
import { doneMeansReport, getJson, post, waitForReport, type Json } from './report-helpers.ts';

const artifactsDir = path.resolve('test-artifacts');
const contentTypes: Record<string, RegExp> = { xlsx: /^application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet/, pdf: /^application\/pdf/, csv: /^text\/csv/ };

/** Independent SQL: paid revenue in cents and order count per region, 2024–2025 (UTC days, as the report's filter). */
const expectedByRegion = `
  select coalesce(c.region, '') as region, round(sum(o.quantity * o.unit_price) * 100)::bigint::text as cents, count(*)::int as orders
  from orders o left join customers c on c.id = o.customer_id
  where o.status = 'paid' and o.ordered_at >= '2024-01-01T00:00:00Z' and o.ordered_at < '2026-01-01T00:00:00Z'
  group by 1`;
const expectedGroups = `
  select count(*)::int as n from (select c.region, c.segment, date_trunc('month', o.ordered_at at time zone 'UTC')
  from orders o left join customers c on c.id = o.customer_id
  where o.status = 'paid' and o.ordered_at >= '2024-01-01T00:00:00Z' and o.ordered_at < '2026-01-01T00:00:00Z' group by 1, 2, 3) g`;

/** RFC 4180 lines of the report's CSV (no field here holds a comma, quote or line break). */
function csvRecords(bytes: Buffer): Record<string, string>[] {
  const [header, ...lines] = bytes.toString('utf8').replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i], v])));
}

export function describeReportEndToEnd(engine: Engine): void {
  describe(`a report end to end on ${engine}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await startTestPlatform(engine);
      await loadGeneratedErp(t.platform.db, { orders: 5_000, seed: 'reports-e2e' }, engine === 'postgres' ? { copyUrl: t.env.DATABASE_URL } : {});
    });
    after(async () => t?.close());

    test('pivot, forecast, anomalies, heatmap, sankey, radar and line come back as xlsx, pdf and csv with exact numbers', { timeout: 180_000 }, async () => {
      const started = performance.now();
      const submitted = await post(t.api.url, '/v1/reports', doneMeansReport);
      assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
      assert.match(submitted.body.id, /^rpt_[0-9a-f]{24}$/);
      assert.equal(submitted.body.workflowId, `report-${submitted.body.id}`);
      assert.equal(submitted.headers.get('location'), `/v1/reports/${submitted.body.id}`);
      const report = await waitForReport(t.api.url, submitted.body.id);
      const seconds = (performance.now() - started) / 1000;
      assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
      assert.equal(report.progress, 1);
      assert.deepEqual(report.artifacts.map((a: Json) => a.format), ['xlsx', 'pdf', 'csv']);

      const files: Record<string, Buffer> = {};
      for (const artifact of report.artifacts as Json[]) {
        const response = await fetch(`${t.api.url}${artifact.url}`);
        assert.equal(response.status, 200);
        const bytes = Buffer.from(await response.arrayBuffer());
        files[artifact.format] = bytes;
        assert.equal(bytes.length, artifact.bytes);
        assert.equal(createHash('sha256').update(bytes).digest('hex'), artifact.sha256, `${artifact.format}: the bytes served are the bytes listed`);
        assert.match(response.headers.get('content-type') ?? '', contentTypes[artifact.format]!);
        assert.equal(response.headers.get('etag'), `"${artifact.sha256}"`);
        const disposition = response.headers.get('content-disposition') ?? '';
        assert.match(disposition, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
        const encoded = /filename\*=UTF-8''(.+)$/.exec(disposition)![1]!;
        assert.equal(decodeURIComponent(encoded), `${doneMeansReport.title}.${artifact.format}`);
        const again = await fetch(`${t.api.url}${artifact.url}`, { headers: { 'if-none-match': `"${artifact.sha256}"` } });
        assert.equal(again.status, 304);
      }
      console.log(`# ${engine}: report in ${seconds.toFixed(1)} s; xlsx ${files.xlsx!.length} B, pdf ${files.pdf!.length} B, csv ${files.csv!.length} B`);

      // The CSV's sums per region equal independent SQL to the cent, and it has one row per group.
      const records = csvRecords(files.csv!);
      const { rows: groups } = await t.platform.db.query<{ n: number }>(expectedGroups);
      assert.equal(records.length, groups[0]!.n);
      const got = new Map<string, { cents: bigint; orders: number }>();
      for (const r of records) {
        const entry = got.get(r.region!) ?? { cents: 0n, orders: 0 };
        entry.cents += BigInt(r.paid_revenue!.replace('.', ''));
        entry.orders += Number(r.orders);
        got.set(r.region!, entry);
      }
      const { rows: expected } = await t.platform.db.query<{ region: string; cents: string; orders: number }>(expectedByRegion);
      assert.ok(expected.length >= 3);
      assert.deepEqual(
        Object.fromEntries([...got].map(([region, v]) => [region, [v.cents.toString(), v.orders]]).sort()),
        Object.fromEntries(expected.map((e) => [e.region, [e.cents, e.orders]]).sort()),
      );

      assert.equal(files.xlsx!.subarray(0, 2).toString(), 'PK');
      assert.equal(files.pdf!.subarray(0, 5).toString(), '%PDF-');
      // The PDF's text has the Chinese title and chart titles; its first page is kept as a test artifact.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'report-pdf-'));
      writeFileSync(path.join(dir, 'report.pdf'), files.pdf!);
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', path.join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
      assert.match(text, /已付收入/);
      mkdirSync(artifactsDir, { recursive: true });
      execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', path.join(dir, 'report.pdf'), path.join(artifactsDir, `report-e2e-${engine}-page1`)]);
    });

    test('the list shows the report, newest first', async () => {
      const { status, body } = await getJson(t.api.url, '/v1/reports?limit=1');
      assert.equal(status, 200);
      assert.equal(body.items.length, 1);
      assert.match(body.items[0].id, /^rpt_/);
    });
  });
}
