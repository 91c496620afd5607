import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { executeChild, proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createReportDeliveryActivities } from '../activities/report-delivery.ts';
import { searchAttributes } from './definitions.ts';
import { emailWorkflowId, type SendEmailInput, type SendEmailResult } from './email-definitions.ts';
import type { generateReport } from './generate-report.ts';
import { deliveryProgressQuery, type DeliverReportInput, type DeliverReportResult, type DeliveryProgress } from './report-delivery-definitions.ts';
import { reportWorkflowId } from './report-definitions.ts';

type DeliveryActivities = ReturnType<typeof createReportDeliveryActivities>;

/** Recording the new report and filling the outbox: short database writes, retried through a database blip. */
const bookkeeping = proxyLocalActivities<DeliveryActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
});

/** Set by Temporal on every run a Schedule starts: the firing's own time (a backfilled one's too). */
const scheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * One firing of a report-delivery Schedule: the report's spec made again (its
 * template's relative ranges resolved at the firing time) as a new report, then
 * emailed with the file attached. Every step's id comes from this run's workflow
 * id, so a retried or replayed step is the same report, the same email and the
 * same Message-ID: a recipient gets one message per firing.
 */
export async function deliverReport(input: DeliverReportInput): Promise<DeliverReportResult> {
  const state: DeliveryProgress = { stage: 'report' };
  setHandler(deliveryProgressQuery, () => state);
  setJobStatus('running');
  try {
    const result = await deliver(input, state);
    setJobStatus('succeeded');
    return result;
  } catch (error) {
    setJobStatus('failed');
    throw error;
  }
}

function setJobStatus(status: string): void {
  upsertSearchAttributes([{ key: searchAttributes.jobStatus, value: status }]);
}

async function deliver(input: DeliverReportInput, state: DeliveryProgress): Promise<DeliverReportResult> {
  const info = workflowInfo();
  const firedAt = (info.typedSearchAttributes.get(scheduledStartTime) ?? info.startTime).toISOString();

  const { reportId } = await bookkeeping.prepareDeliveredReport({ ...input, workflowId: info.workflowId, firedAt });
  state.reportId = reportId;
  await executeChild<typeof generateReport>('generateReport', {
    workflowId: reportWorkflowId(reportId),
    args: [{ reportId }],
    taskQueue: info.taskQueue,
    typedSearchAttributes: [
      { key: searchAttributes.jobKind, value: 'report' },
      { key: searchAttributes.jobStatus, value: 'running' },
      { key: searchAttributes.tenant, value: input.tenant },
    ],
  });

  state.stage = 'email';
  const { emailId, taskQueue } = await bookkeeping.enqueueReportEmail({ ...input, reportId, workflowId: info.workflowId, firedAt });
  state.emailId = emailId;
  const sent = await executeChild<(input: SendEmailInput) => Promise<SendEmailResult>>('sendEmail', {
    workflowId: emailWorkflowId(emailId),
    args: [{ emailId }],
    taskQueue,
    typedSearchAttributes: [
      { key: searchAttributes.jobKind, value: 'email' },
      { key: searchAttributes.tenant, value: input.tenant },
    ],
  });
  state.stage = 'done';
  return { reportId, emailId, status: sent.status };
}
