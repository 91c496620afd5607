/**
 * The emails table and its outbox (email_messages): written by the API (enqueue), read by the API
 * (status per recipient) and moved through its states by the sendEmail activities.
 *
 * A message's state machine: pending → sending → sent | failed | uncertain. `sending` is committed
 * before SMTP DATA, so a worker that dies after the server accepted the message leaves a row that
 * says "maybe handed over"; the next attempt asks the delivery check instead of sending blindly.
 */
import type { Database, Queryable } from '../db/index.ts';
import { messageIdOf } from './ids.ts';
import type { EmailDraft, EmailRecord, EmailStatus, MessageState, OutboxMessage, RecipientKind, RecipientOutcome } from './types.ts';

type Row = Record<string, unknown>;
const iso = (v: unknown) => new Date(v as string).toISOString();
/** PGlite and pg both parse jsonb; a driver handing back text is parsed here. */
const jsonOf = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

const toMessage = (r: Row): OutboxMessage => ({
  emailId: r.email_id as string,
  seq: Number(r.seq),
  messageId: r.message_id as string,
  state: r.state as MessageState,
  attempts: Number(r.attempts),
  recipients: jsonOf(r.recipients),
  error: r.error == null ? undefined : jsonOf(r.error),
  sentAt: r.sent_at ? iso(r.sent_at) : undefined,
});

const toRecord = (r: Row, messages: OutboxMessage[]): EmailRecord => ({
  id: r.id as string,
  tenant: r.tenant as string,
  status: r.status as EmailStatus,
  subject: r.subject as string,
  draft: jsonOf(r.draft),
  messages,
  workflowId: r.workflow_id as string,
  error: r.error == null ? undefined : jsonOf(r.error),
  createdAt: iso(r.created_at),
  finishedAt: r.finished_at ? iso(r.finished_at) : undefined,
});

/** The SMTP messages of a draft: one for `single`, one per `to` recipient for `individual`. */
export function plannedMessages(draft: EmailDraft): RecipientOutcome[][] {
  const outcome = (kind: RecipientKind) => (m: { email: string }) => ({ email: m.email, kind, status: 'pending' as const });
  if (draft.mode === 'individual') return draft.to.map((m) => [outcome('to')(m)]);
  return [[...draft.to.map(outcome('to')), ...draft.cc.map(outcome('cc')), ...draft.bcc.map(outcome('bcc'))]];
}

async function messagesOf(db: Queryable, ids: string[]): Promise<Map<string, OutboxMessage[]>> {
  const byEmail = new Map<string, OutboxMessage[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byEmail;
  const { rows } = await db.query<Row>('select * from email_messages where email_id = any($1::text[]) order by email_id, seq', [ids]);
  for (const row of rows) byEmail.get(row.email_id as string)?.push(toMessage(row));
  return byEmail;
}

async function withMessages(db: Queryable, rows: Row[]): Promise<EmailRecord[]> {
  const messages = await messagesOf(
    db,
    rows.map((r) => r.id as string),
  );
  return rows.map((r) => toRecord(r, messages.get(r.id as string) ?? []));
}

export interface EnqueueEmailInput {
  id: string;
  tenant: string;
  draft: EmailDraft;
  idempotencyKey?: string;
  requestHash?: string;
  messageIdDomain: string;
  /** The id of the sendEmail run that will send it (workflows/email-definitions.ts names it). */
  workflowId: string;
}

/**
 * Inserts the email and its outbox messages in one transaction. A repeated id or (tenant,
 * idempotency key) inserts nothing and returns the row already there, with its request hash,
 * so the caller can tell "the same request again" (202) from "another body under that key" (409).
 */
export async function enqueueEmail(
  db: Database,
  input: EnqueueEmailInput,
): Promise<{ email: EmailRecord; created: boolean; existingRequestHash?: string }> {
  const inserted = await db.transaction(async (tx) => {
    const { rows } = await tx.query<Row>(
      `insert into emails (id, tenant, idempotency_key, request_hash, subject, draft, workflow_id)
       values ($1, $2, $3, $4, $5, $6::jsonb, $7) on conflict do nothing returning id`,
      [
        input.id,
        input.tenant,
        input.idempotencyKey ?? null,
        input.requestHash ?? null,
        input.draft.subject,
        JSON.stringify(input.draft),
        input.workflowId,
      ],
    );
    if (!rows[0]) return false;
    const planned = plannedMessages(input.draft);
    for (const [seq, recipients] of planned.entries()) {
      await tx.query('insert into email_messages (email_id, seq, message_id, recipients) values ($1, $2, $3, $4::jsonb)', [
        input.id,
        seq,
        messageIdOf(input.id, seq, input.messageIdDomain),
        JSON.stringify(recipients),
      ]);
    }
    return true;
  });
  const { rows } = input.idempotencyKey
    ? await db.query<Row>('select * from emails where (tenant = $1 and idempotency_key = $2) or id = $3 limit 1', [
        input.tenant,
        input.idempotencyKey,
        input.id,
      ])
    : await db.query<Row>('select * from emails where id = $1', [input.id]);
  const row = rows[0];
  if (!row) throw new Error(`email ${input.id} was neither inserted nor found`);
  const [email] = await withMessages(db, [row]);
  if (inserted) return { email: email!, created: true };
  return { email: email!, created: false, existingRequestHash: (row.request_hash as string | null) ?? undefined };
}

/** Removes an email whose workflow never started (its outbox goes with it), so a retry starts afresh. */
export async function discardQueuedEmail(db: Queryable, id: string): Promise<void> {
  await db.query(`delete from emails where id = $1 and status = 'queued'`, [id]);
}

/** The tenant's email, or undefined: another tenant's email is as absent as a missing one. */
export async function getEmail(db: Queryable, tenant: string, id: string): Promise<EmailRecord | undefined> {
  const { rows } = await db.query<Row>('select * from emails where id = $1 and tenant = $2', [id, tenant]);
  return rows[0] ? (await withMessages(db, rows))[0] : undefined;
}

/** For the activities, which act on an email by id alone. */
export async function findEmail(db: Queryable, id: string): Promise<EmailRecord | undefined> {
  const { rows } = await db.query<Row>('select * from emails where id = $1', [id]);
  return rows[0] ? (await withMessages(db, rows))[0] : undefined;
}

/** Newest first; `after` is the (created_at, id) of the previous page's last row. */
export async function listEmails(
  db: Queryable,
  tenant: string,
  page: { limit: number; after?: { createdAt: string; id: string } },
): Promise<{ items: EmailRecord[]; next?: { createdAt: string; id: string } }> {
  // The cursor keeps created_at to the microsecond (an ISO string in ms would skip rows within that ms).
  const select = `select *, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as position from emails`;
  const { rows } = page.after
    ? await db.query<Row>(
        `${select} where tenant = $1 and (created_at, id) < ($2::timestamptz, $3) order by created_at desc, id desc limit $4`,
        [tenant, page.after.createdAt, page.after.id, page.limit + 1],
      )
    : await db.query<Row>(`${select} where tenant = $1 order by created_at desc, id desc limit $2`, [tenant, page.limit + 1]);
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  return {
    items: await withMessages(db, shown),
    next: rows.length > page.limit && last ? { createdAt: last.position as string, id: last.id as string } : undefined,
  };
}

/** The email with only message `seq` (a sender needs no other; an `individual` email may have hundreds). */
export async function findEmailMessage(db: Queryable, id: string, seq: number): Promise<EmailRecord | undefined> {
  const { rows } = await db.query<Row>('select * from emails where id = $1', [id]);
  if (!rows[0]) return undefined;
  const message = await getMessage(db, id, seq);
  return toRecord(rows[0], message ? [message] : []);
}

/** One outbox message by email and seq. */
export async function getMessage(db: Queryable, emailId: string, seq: number): Promise<OutboxMessage | undefined> {
  const { rows } = await db.query<Row>('select * from email_messages where email_id = $1 and seq = $2', [emailId, seq]);
  return rows[0] ? toMessage(rows[0]) : undefined;
}

/**
 * pending|sending → sending, committed BEFORE the message goes to SMTP, counting the attempt and
 * stamping when it began. From here on a crash leaves a row that says "maybe handed over".
 */
export async function markSending(db: Queryable, emailId: string, seq: number): Promise<boolean> {
  const { rows } = await db.query<Row>(
    `update email_messages set state = 'sending', attempts = attempts + 1, sending_at = now()
     where email_id = $1 and seq = $2 and state in ('pending', 'sending') returning seq`,
    [emailId, seq],
  );
  return rows.length > 0;
}

/** Milliseconds since the last attempt began sending, by the database's clock (workers' clocks may differ). */
export async function sendingAgeMs(db: Queryable, emailId: string, seq: number): Promise<number> {
  const { rows } = await db.query<{ age: string | number | null }>(
    `select extract(epoch from (now() - sending_at)) * 1000 as age from email_messages where email_id = $1 and seq = $2`,
    [emailId, seq],
  );
  return rows[0]?.age == null ? Number.POSITIVE_INFINITY : Number(rows[0].age);
}

/** sending → pending: the server answered with a refusal (or the session broke before DATA), so it holds nothing. */
export async function releaseMessage(db: Queryable, emailId: string, seq: number): Promise<void> {
  await db.query(`update email_messages set state = 'pending' where email_id = $1 and seq = $2 and state = 'sending'`, [emailId, seq]);
}

/** Records the final outcome of a message (only from `sending` or `pending`: a final state stays as it ended). */
export async function finishMessage(
  db: Queryable,
  emailId: string,
  seq: number,
  outcome: {
    state: 'sent' | 'failed' | 'uncertain';
    recipients: RecipientOutcome[];
    smtpResponse?: string;
    error?: { code: string; message: string };
  },
): Promise<boolean> {
  const { rows } = await db.query<Row>(
    `update email_messages set state = $3::text, recipients = $4::jsonb, smtp_response = $5, error = $6::jsonb,
       sent_at = case when $3::text = 'sent' then now() else sent_at end
     where email_id = $1 and seq = $2 and state in ('pending', 'sending') returning seq`,
    [emailId, seq, outcome.state, JSON.stringify(outcome.recipients), outcome.smtpResponse ?? null, outcome.error ? JSON.stringify(outcome.error) : null],
  );
  return rows.length > 0;
}

/**
 * The email's status folded from its messages: `sent` when every recipient was accepted, `failed`
 * when none was and nothing is unknown, `uncertain` when none is known accepted but some message
 * may have gone out, else `partial` (some recipients accepted, others rejected, failed or unknown).
 */
export function foldStatus(messages: OutboxMessage[]): EmailStatus {
  if (messages.length === 0) return 'failed';
  if (messages.some((m) => m.state === 'pending' || m.state === 'sending')) return 'sending';
  const recipients = messages.flatMap((m) => m.recipients);
  const accepted = recipients.filter((r) => r.status === 'accepted').length;
  if (accepted === recipients.length && messages.every((m) => m.state === 'sent')) return 'sent';
  if (accepted > 0) return 'partial';
  return messages.some((m) => m.state === 'uncertain') ? 'uncertain' : 'failed';
}

/** Moves the email to `sending` once its first message is under way. */
export async function markEmailSending(db: Queryable, id: string): Promise<void> {
  await db.query(`update emails set status = 'sending', updated_at = now() where id = $1 and status = 'queued'`, [id]);
}

/** Records the email's final status from its messages; returns it. */
export async function finishEmail(db: Queryable, id: string, error?: { code: string; message: string }): Promise<EmailStatus> {
  const { rows } = await db.query<Row>('select * from email_messages where email_id = $1 order by seq', [id]);
  const status = foldStatus(rows.map(toMessage));
  await db.query(
    `update emails set status = $2, error = coalesce($3::jsonb, error), updated_at = now(), finished_at = coalesce(finished_at, now())
     where id = $1`,
    [id, status, error ? JSON.stringify(error) : null],
  );
  return status;
}
