/**
 * One outbox message as nodemailer takes it: From, To/Cc headers, Bcc only in the SMTP envelope,
 * the deterministic Message-ID, the rendered parts and the attachments' bytes. Header values are
 * checked again here (defence in depth: the API refuses them first), because a CR or LF in a
 * subject or display name would let a caller write headers of their own.
 */
import type { SendMailOptions } from 'nodemailer';
import { AppError } from '../errors.ts';
import type { EmailDraft, Mailbox } from './types.ts';

export interface LoadedAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** A value that would break out of its header: refused, with the field it came from. */
export class EmailHeaderInjectionError extends AppError {
  constructor(field: string) {
    super('E_EMAIL_INVALID', `${field} holds a line break or NUL, which could inject headers`);
  }
}

const UNSAFE = /[\r\n\0]/;

function checkHeader(field: string, value: string | undefined): void {
  if (value !== undefined && UNSAFE.test(value)) throw new EmailHeaderInjectionError(field);
}

function checkMailboxes(field: string, boxes: Mailbox[]): void {
  boxes.forEach((box, i) => {
    checkHeader(`${field}[${i}].email`, box.email);
    checkHeader(`${field}[${i}].name`, box.name);
  });
}

const address = (box: Mailbox) => (box.name ? { name: box.name, address: box.email } : box.email);

export interface ComposeInput {
  draft: EmailDraft;
  /** 0 for `single`; the `to` index for `individual`. */
  seq: number;
  messageId: string;
  from: string;
  /** The email's creation time: the Date header is the same on every attempt, like the Message-ID. */
  date: Date;
  attachments: LoadedAttachment[];
}

/** The message for nodemailer; throws E_EMAIL_INVALID on a header value with CR, LF or NUL. */
export function composeMessage({ draft, seq, messageId, from, date, attachments }: ComposeInput): SendMailOptions {
  checkHeader('from', from);
  checkHeader('subject', draft.subject);
  checkHeader('messageId', messageId);
  checkMailboxes('to', draft.to);
  checkMailboxes('cc', draft.cc);
  checkMailboxes('bcc', draft.bcc);
  attachments.forEach((a, i) => {
    checkHeader(`attachments[${i}].filename`, a.filename);
    checkHeader(`attachments[${i}].contentType`, a.contentType);
  });
  const individual = draft.mode === 'individual';
  const to = individual ? [draft.to[seq]!] : draft.to;
  return {
    from,
    to: to.map(address),
    cc: individual ? undefined : draft.cc.map(address),
    // No Bcc header at all (whatever the transport's habit): Bcc recipients are in the envelope only.
    envelope: { from: envelopeFrom(from), to: envelopeRecipients(draft, seq) },
    subject: draft.subject,
    text: draft.text,
    html: draft.html,
    messageId,
    date,
    attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
    // Nothing of the caller's becomes a raw header, and no file or URL is read by nodemailer itself.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** The address inside `Name <address>` (EMAIL_FROM), or the value itself. */
const envelopeFrom = (from: string) => /<([^>]+)>\s*$/.exec(from)?.[1] ?? from.trim();

/** The recipients of one message, as the envelope lists them (lower-cased, for matching SMTP's answers). */
export function envelopeRecipients(draft: EmailDraft, seq: number): string[] {
  const boxes = draft.mode === 'individual' ? [draft.to[seq]!] : [...draft.to, ...draft.cc, ...draft.bcc];
  return boxes.map((b) => b.email.toLowerCase());
}
