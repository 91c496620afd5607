import { Router, type Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { ReportRecord } from '../../lib/reports/repository.ts';
import { REPORT_FILES } from '../../lib/reports/exports/index.ts';
import { REPORT_FORMATS, type ReportFormat } from '../../lib/reports/types.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { tenantOf } from '../middleware/auth.ts';
import { answerNotModified, noneMatch } from '../middleware/conditional.ts';
import { HttpProblem } from '../problem.ts';
import { reportCursor, reportId, reportListQuery } from '../report-schemas.ts';
import type { ReportService } from '../services/reports.ts';
import { parseInput } from '../validate.ts';
import { analyticsAccess } from './analytics-access.ts';
import { contentDisposition } from './content-disposition.ts';

/** What a client sees of a report; files by URL, never by blob key. */
export function toReportView(r: ReportRecord) {
  return {
    id: r.id,
    title: r.title,
    status: r.status,
    stage: r.stage,
    progress: Math.round(r.progress * 1000) / 1000,
    artifacts: r.artifacts.map((a) => ({ format: a.format, bytes: a.bytes, sha256: a.sha256, url: `/v1/reports/${r.id}/artifacts/${a.format}` })),
    error: r.error,
    templateId: r.templateId,
    parameters: r.parameters,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    workflowId: r.workflowId,
  };
}

/** Printable ASCII, as a header value must be; long enough for a UUID or a hash. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const accepted = (res: Response, r: ReportRecord) =>
  res.status(202).location(`/v1/reports/${r.id}`).json({ id: r.id, workflowId: r.workflowId, status: r.status });

export function createReportsRouter({ reports }: { reports: ReportService }): Router {
  const router = Router();
  router.use(analyticsAccess);
  const readJson = createJsonBodyReader(256 * 1024, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 256 KiB' });
  const idParam = (value: unknown) => parseInput(reportId, value, 'id');

  router.post('/', async (req, res) => {
    const key = req.get('idempotency-key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw HttpProblem.invalid([{ field: 'Idempotency-Key', detail: '1 to 255 printable ASCII characters' }]);
    }
    const body = req.is('application/json') ? ((await readJson(req, res)) ?? {}) : {};
    const { report } = await reports.submit(tenantOf(res), body, key);
    accepted(res, report);
  });

  router.get('/', async (req, res) => {
    const query = parseInput(reportListQuery, req.query);
    const after = query.cursor ? decodeCursor(reportCursor, query.cursor) : undefined;
    const page = await reports.list(tenantOf(res), { limit: query.limit, after });
    res.json({ items: page.items.map(toReportView), nextCursor: page.next ? encodeCursor(page.next) : null });
  });

  router.get('/:id', async (req, res) => {
    res.json(toReportView(await reports.get(tenantOf(res), idParam(req.params.id))));
  });

  router.post('/:id/cancel', async (req, res) => {
    accepted(res, await reports.cancel(tenantOf(res), idParam(req.params.id)));
  });

  router.get('/:id/artifacts/:format', async (req, res) => {
    const id = idParam(req.params.id);
    const format = req.params.format as ReportFormat;
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
      throw new HttpProblem(404, 'Not found', `no format ${JSON.stringify(format)}: one of ${REPORT_FORMATS.join(', ')}`, { code: 'E_ARTIFACT_NOT_FOUND' });
    }
    const { report, artifact, body } = await reports.artifact(tenantOf(res), id, format);
    const file = REPORT_FILES[format];
    // The file's own hash is its validator: the same bytes have the same tag on every API process.
    const etag = `"${artifact.sha256}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'private, no-cache');
    if (!noneMatch(req.get('if-none-match'), etag)) return void answerNotModified(res);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Length', String(artifact.bytes));
    res.setHeader('Content-Disposition', contentDisposition(report.title, file.extension));
    await pipeline(body(), res);
  });

  return router;
}
