/** Names shared by the deliverReport workflow, its activities, the Schedules API and the reports worker. Safe to import from workflow code. */
import { defineQuery } from '@temporalio/workflow';
import type { Mailbox } from '../lib/email/types.ts';
import type { ReportFormat } from '../lib/reports/types.ts';

/** What a report-delivery Schedule passes to each run: the report to re-run and where its file goes. */
export interface DeliverReportInput {
  tenant: string;
  /** The report whose spec (or template and parameters) each firing runs again. */
  reportId: string;
  recipients: Mailbox[];
  format: ReportFormat;
  subject: string;
  /** The Schedule that fired, for the email's text and the Web UI. */
  scheduleId?: string;
}

export interface DeliverReportResult {
  /** The new report this firing made. */
  reportId: string;
  emailId: string;
  status: 'sent' | 'partial' | 'failed' | 'uncertain';
}

export type DeliveryStage = 'report' | 'email' | 'done';

export interface DeliveryProgress {
  stage: DeliveryStage;
  reportId?: string;
  emailId?: string;
}

export const deliveryProgressQuery = defineQuery<DeliveryProgress>('progress');
