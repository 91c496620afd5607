/**
 * What the API does with reports: check the request in full, record the report
 * and start its workflow (which does the rest), follow it, cancel it, and hand out
 * its files. A report either starts its workflow or leaves nothing behind.
 */
import type { Readable } from 'node:stream';
import type { ReportWorkflows } from '../../client/reports.ts';
import type { AnalyticsEngine } from '../../lib/analytics/port.ts';
import type { BlobStore } from '../../lib/blob/port.ts';
import type { Database } from '../../lib/db/index.ts';
import { idempotentReportId, newReportId, requestHash } from '../../lib/reports/ids.ts';
import { deleteReport, FINISHED, getReport, insertReport, listReports, type ReportArtifact, type ReportRecord } from '../../lib/reports/repository.ts';
import { getTemplate } from '../../lib/reports/template-repository.ts';
import type { ReportFormat } from '../../lib/reports/types.ts';
import { reportWorkflowId } from '../../workflows/report-definitions.ts';
import { HttpProblem } from '../problem.ts';
import { reportFromTemplateSchema } from '../report-schemas.ts';
import { parseInput } from '../validate.ts';
import { checkedSpec, specFromTemplate } from './report-spec.ts';

export interface ReportServiceDeps {
  db: Database;
  blobs: BlobStore;
  engine: AnalyticsEngine;
  workflows: ReportWorkflows;
  /** ANALYTICS_TIME_ZONE: the day a template's relative ranges count from. */
  timeZone: string;
}

const notFound = (id: string) => new HttpProblem(404, 'Not found', `no report ${id}`, { code: 'E_REPORT_NOT_FOUND' });

export function createReportService({ db, blobs, engine, workflows, timeZone }: ReportServiceDeps) {
  async function own(tenant: string, id: string): Promise<ReportRecord> {
    const report = await getReport(db, tenant, id);
    if (!report) throw notFound(id);
    return report;
  }

  return {
    /**
     * Checks the body (a whole spec, or `templateId` + parameters), records the
     * report and starts its run. With an Idempotency-Key the id comes from the key:
     * the same key and body are the same report; the same key with another body is a 422.
     */
    async submit(tenant: string, body: unknown, idempotencyKey?: string): Promise<{ report: ReportRecord; created: boolean }> {
      const fromTemplate = typeof body === 'object' && body !== null && 'templateId' in body;
      let resolved: { spec: ReturnType<typeof checkedSpec>; templateId?: string; parameters?: Record<string, unknown> };
      if (fromTemplate) {
        const request = parseInput(reportFromTemplateSchema, body);
        const template = await getTemplate(db, tenant, request.templateId);
        if (!template) throw HttpProblem.invalid([{ field: 'templateId', detail: `no template ${request.templateId}` }]);
        resolved = { ...specFromTemplate(template, request, engine, timeZone), templateId: template.id };
      } else {
        resolved = { spec: checkedSpec(body, engine) };
      }
      const id = idempotencyKey ? idempotentReportId(tenant, idempotencyKey) : newReportId();
      const hash = idempotencyKey ? requestHash(body) : undefined;
      const { record, created } = await insertReport(db, { id, tenant, ...resolved, requestHash: hash, workflowId: reportWorkflowId(id) });
      if (!created && record.requestHash !== hash) {
        throw new HttpProblem(422, 'Idempotency key reused', 'this Idempotency-Key was used with another request body', { code: 'E_IDEMPOTENCY_KEY_REUSED' });
      }
      try {
        await workflows.start(id, tenant);
      } catch (error) {
        if (created) await deleteReport(db, id);
        throw error;
      }
      return { report: record, created };
    },

    /**
     * The report as its activities last recorded it (each stage writes its stage and
     * progress): no Temporal query on the read path, so a busy or absent worker never
     * slows a GET. The run's own `progress` query is there for the Web UI and the CLI.
     */
    get: (tenant: string, id: string) => own(tenant, id),

    list: (tenant: string, page: Parameters<typeof listReports>[2]) => listReports(db, tenant, page),

    /** Asks the run to stop; a finished report cannot be cancelled (409). */
    async cancel(tenant: string, id: string): Promise<ReportRecord> {
      const report = await own(tenant, id);
      if (FINISHED.includes(report.status)) {
        throw new HttpProblem(409, 'Conflict', `the report has ${report.status} already`, { code: 'E_REPORT_FINISHED' });
      }
      await workflows.cancel(id);
      return report;
    },

    /** One file of a finished report: 404 for a format it does not have, 409 while it is not ready. */
    async artifact(tenant: string, id: string, format: ReportFormat): Promise<{ report: ReportRecord; artifact: ReportArtifact; body: () => Readable }> {
      const report = await own(tenant, id);
      if (!report.spec.formats.includes(format)) throw new HttpProblem(404, 'Not found', `report ${id} has no ${format} file`, { code: 'E_ARTIFACT_NOT_FOUND' });
      if (report.status !== 'succeeded') {
        throw new HttpProblem(409, 'Conflict', `the report is ${report.status}; its files are there once it has succeeded`, { code: 'E_REPORT_NOT_READY' });
      }
      const artifact = report.artifacts.find((a) => a.format === format);
      if (!artifact) throw new HttpProblem(404, 'Not found', `report ${id} has no ${format} file`, { code: 'E_ARTIFACT_NOT_FOUND' });
      return { report, artifact, body: () => blobs.read(artifact.key) };
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
