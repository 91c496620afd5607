/**
 * The email capability's shapes, shared by the API (which checks a request, renders
 * its template and fills the outbox), the sendEmail workflow's activities (which
 * hand each outbox message to SMTP exactly once) and report delivery.
 */
import type { ReportFormat } from '../reports/types.ts';

export interface Mailbox {
  /** A checked address: no CR/LF, one `@`, a domain with a dot or `localhost`, at most 254 characters. */
  email: string;
  /** Display name; no CR/LF. */
  name?: string;
}

export type RecipientKind = 'to' | 'cc' | 'bcc';

/** An attachment by reference: the worker reads the bytes from blob storage at send time. */
export type AttachmentRef = { reportId: string; format: ReportFormat } | { documentId: string };

/**
 * A request as accepted by the API: addresses checked, the template already rendered
 * into subject, text and html, attachments checked to exist for the tenant.
 */
export interface EmailDraft {
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  subject: string;
  text?: string;
  html?: string;
  attachments: AttachmentRef[];
  /**
   * `single`: one message to every recipient (one Message-ID, a status per recipient from SMTP's RCPT answers).
   * `individual`: one message per `to` recipient (each its own Message-ID and status; cc/bcc not allowed).
   */
  mode: 'single' | 'individual';
  /** The template and its data, kept for the record (already rendered above). */
  template?: { id: string; locale: string };
}

/** An outbox message's life: pending → sending (handed to SMTP) → sent | failed | uncertain. */
export type MessageState = 'pending' | 'sending' | 'sent' | 'failed' | 'uncertain';

/** One recipient's outcome: accepted or rejected by the SMTP server at RCPT, or not known. */
export type RecipientStatus = 'pending' | 'accepted' | 'rejected' | 'failed' | 'uncertain';

export interface RecipientOutcome {
  email: string;
  kind: RecipientKind;
  status: RecipientStatus;
  /** The SMTP server's answer for this recipient, when it gave one. */
  detail?: string;
}

/** An email request's status: the messages' states folded (partial: some recipients rejected). */
export type EmailStatus = 'queued' | 'sending' | 'sent' | 'partial' | 'failed' | 'uncertain';

export interface OutboxMessage {
  emailId: string;
  /** 0 for a `single` email; the index of the `to` recipient for `individual`. */
  seq: number;
  /** Deterministic, `<emailId.seq@EMAIL_MESSAGE_ID_DOMAIN>`: the same on every attempt. */
  messageId: string;
  state: MessageState;
  attempts: number;
  recipients: RecipientOutcome[];
  error?: { code: string; message: string };
  sentAt?: string;
}

export interface EmailRecord {
  id: string;
  tenant: string;
  status: EmailStatus;
  subject: string;
  draft: EmailDraft;
  messages: OutboxMessage[];
  workflowId: string;
  error?: { code: string; message: string };
  createdAt: string;
  finishedAt?: string;
}

/** Sizes and counts every email request is held to (the API answers 413/400 past them). */
export const EMAIL_LIMITS = {
  recipients: 500,
  subjectChars: 998,
  bodyBytes: 2 * 1024 * 1024,
  attachments: 10,
  attachmentBytes: 25 * 1024 * 1024,
  templateDataBytes: 64 * 1024,
} as const;
