/** Names shared by the sendEmail workflow, the email worker, report delivery and the API. Safe to import from workflow code. */
import { defineQuery } from '@temporalio/workflow';

export interface SendEmailInput {
  /** The emails row; its draft and outbox messages are there, so the workflow carries only the id. */
  emailId: string;
}

/** What sendEmail returns: the email's final status (see lib/email/types.ts). */
export interface SendEmailResult {
  status: 'sent' | 'partial' | 'failed' | 'uncertain';
}

/** An email's workflow id: from its id, which an Idempotency-Key determines, so a repeat joins the same run. */
export const emailWorkflowId = (emailId: string) => `email-${emailId}`;

/** sendEmail's progress, as its `progress` query answers: messages so far by outcome. */
export interface EmailProgress {
  status: 'queued' | 'sending' | 'sent' | 'partial' | 'failed' | 'uncertain';
  messages: number;
  sent: number;
  failed: number;
  uncertain: number;
}

export const emailProgressQuery = defineQuery<EmailProgress>('progress');
