/**
 * Report delivery's side effects: a firing's report recorded as a new reports row
 * (the source report's spec, or its template resolved again at the firing time),
 * then its email written to the outbox with the file attached by reference. Ids
 * come from the run's workflow id, so a retried step finds its own row.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../lib/db/index.ts';
import { idempotentEmailId } from '../lib/email/ids.ts';
import { enqueueEmail } from '../lib/email/outbox.ts';
import type { EmailDraft } from '../lib/email/types.ts';
import { AppError } from '../lib/errors.ts';
import { todayIn } from '../lib/reports/relative-ranges.ts';
import { getReport, insertReport, requireReport, type ReportRecord } from '../lib/reports/repository.ts';
import { getTemplate } from '../lib/reports/template-repository.ts';
import { parameterValues, substitute } from '../lib/reports/templates.ts';
import type { ReportSpec } from '../lib/reports/types.ts';
import type { DeliverReportInput } from '../workflows/report-delivery-definitions.ts';
import { reportWorkflowId } from '../workflows/report-definitions.ts';
import { emailWorkflowId } from '../workflows/email-definitions.ts';
import { withFailureMapping } from './failures.ts';

export interface ReportDeliveryDeps {
  db: Database;
  /** ANALYTICS_TIME_ZONE: the day a template's relative ranges count from, as for POST /v1/reports. */
  timeZone: string;
  /** EMAIL_TASK_QUEUE, where the workflow runs sendEmail. */
  emailTaskQueue: string;
  /** EMAIL_MESSAGE_ID_DOMAIN. */
  messageIdDomain: string;
}

/** The report a Schedule names is gone, or its template can no longer be resolved: retrying cannot help. */
class DeliverySourceError extends AppError {}

type FiringInput = DeliverReportInput & { workflowId: string; firedAt: string };

/** The firing's report id: from its workflow id (the Schedule's id and firing time), so a retry is the same row. */
export const deliveredReportId = (workflowId: string) => `rpt_${createHash('sha256').update(`delivery\n${workflowId}`).digest('hex').slice(0, 24)}`;

/**
 * The spec a firing runs: a template's, with the source's parameter values and
 * relative ranges resolved on the firing's day; a report without a template (or
 * whose template was deleted since) runs its own spec as recorded. One format:
 * the one the Schedule mails.
 */
async function firingSpec(db: Database, source: ReportRecord, input: FiringInput, timeZone: string) {
  const formats = [input.format];
  const template = source.templateId ? await getTemplate(db, source.tenant, source.templateId) : undefined;
  if (!template) return { spec: { ...source.spec, formats } as ReportSpec };
  const today = todayIn(timeZone, new Date(input.firedAt));
  const { values, problems } = parameterValues(template.parameters, source.parameters ?? {}, { today });
  const resolved = substitute(template.spec, template.parameters, values, today);
  const all = [...problems, ...resolved.problems];
  if (all.length) {
    throw new DeliverySourceError('E_TEMPLATE_INVALID', `template ${template.id}: ${all.map((p) => `${p.field}: ${p.detail}`).join('; ')}`);
  }
  // The defaults POST /v1/reports fills in (api/report-schemas.ts), so the spec reads the same to compileReport.
  const spec = { dimensions: [], filters: [], ...(resolved.body as Record<string, unknown>), title: source.spec.title, formats } as unknown as ReportSpec;
  return { spec, templateId: template.id, parameters: values };
}

export function createReportDeliveryActivities({ db, timeZone, emailTaskQueue, messageIdDomain }: ReportDeliveryDeps) {
  return withFailureMapping({
    /** Records this firing's report (queued); its generateReport child does the rest. */
    async prepareDeliveredReport(input: FiringInput): Promise<{ reportId: string }> {
      const source = await getReport(db, input.tenant, input.reportId);
      if (!source) throw new DeliverySourceError('E_REPORT_NOT_FOUND', `no report ${input.reportId} for tenant ${input.tenant}`);
      const id = deliveredReportId(input.workflowId);
      const resolved = await firingSpec(db, source, input, timeZone);
      await insertReport(db, { id, tenant: input.tenant, ...resolved, workflowId: reportWorkflowId(id) });
      return { reportId: id };
    },

    /** Writes the email to the outbox, the report's file attached by reference (read from blob storage at send time). */
    async enqueueReportEmail(input: FiringInput): Promise<{ emailId: string; taskQueue: string }> {
      const report = await requireReport(db, input.reportId);
      const key = `report-delivery:${input.workflowId}`;
      const id = idempotentEmailId(input.tenant, key);
      const day = input.firedAt.slice(0, 10);
      const text =
        `${report.title}\n\n` +
        `附件是 ${day} 的报表（${input.format}）。The report of ${day} is attached (${input.format}).\n` +
        (input.scheduleId ? `\nSchedule: ${input.scheduleId}\n` : '');
      const draft: EmailDraft = {
        to: input.recipients,
        cc: [],
        bcc: [],
        subject: input.subject,
        text,
        attachments: [{ reportId: report.id, format: input.format }],
        mode: 'single',
      };
      await enqueueEmail(db, { id, tenant: input.tenant, draft, idempotencyKey: key, messageIdDomain, workflowId: emailWorkflowId(id) });
      return { emailId: id, taskQueue: emailTaskQueue };
    },
  });
}
