import { ActivityFailure, ApplicationFailure, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { createEmailActivities } from '../activities/email.ts';
import { searchAttributes } from './definitions.ts';
import { emailProgressQuery, type EmailProgress, type SendEmailInput, type SendEmailResult } from './email-definitions.ts';

type EmailActivities = ReturnType<typeof createEmailActivities>;

/** Reading and recording the outbox: short steps in the workflow task. */
const bookkeeping = proxyLocalActivities<EmailActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
});

/**
 * One message to SMTP. It beats every 2 s, so a killed worker's attempt is retried after 10 s; a 4xx or
 * a network fault retries with backoff for about half an hour (a rate-limited or settling attempt asks
 * for its own delay); a 5xx, bad input or a missing attachment stops at once.
 */
const smtp = proxyActivities<EmailActivities>({
  startToCloseTimeout: '3m',
  heartbeatTimeout: '10s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '5m',
    maximumAttempts: 15,
    nonRetryableErrorTypes: ['E_SMTP_PERMANENT', 'E_EMAIL_INVALID', 'E_EMAIL_ATTACHMENT', 'E_EMAIL_NOT_FOUND'],
  },
});

/** Messages in flight at once for an `individual` email (one per `to` recipient). */
const CONCURRENCY = 8;

/**
 * An email from its outbox to the mail server: each message handed over at most once per safe
 * occasion (see activities/email.ts), then the email's status folded from its messages' outcomes.
 */
export async function sendEmail({ emailId }: SendEmailInput): Promise<SendEmailResult> {
  const progress: EmailProgress = { status: 'queued', messages: 0, sent: 0, failed: 0, uncertain: 0 };
  setHandler(emailProgressQuery, () => progress);
  const { seqs } = await bookkeeping.startEmail({ emailId });
  Object.assign(progress, { status: 'sending', messages: seqs.length });

  const deliverOne = async (seq: number) => {
    try {
      const outcome = await smtp.deliverMessage({ emailId, seq });
      if (outcome.state === 'sent') progress.sent++;
      else if (outcome.state === 'uncertain') progress.uncertain++;
      else progress.failed++;
    } catch (error) {
      const state = await bookkeeping.abandonMessage({ emailId, seq, error: reasonOf(error) });
      if (state === 'uncertain') progress.uncertain++;
      else if (state === 'sent') progress.sent++;
      else progress.failed++;
    }
  };
  for (let i = 0; i < seqs.length; i += CONCURRENCY) {
    await Promise.all(seqs.slice(i, i + CONCURRENCY).map(deliverOne));
  }

  const status = (await bookkeeping.completeEmail({ emailId })) as SendEmailResult['status'];
  progress.status = status;
  upsertSearchAttributes([{ key: searchAttributes.jobStatus, value: status }]);
  return { status };
}

/** The failure as recorded on the message: our E_* verdicts as they are, anything else by its type only. */
function reasonOf(error: unknown): { code: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type) return { code: cause.type, message: cause.message };
  return { code: 'E_EMAIL_FAILED', message: 'the message could not be sent; the workflow history has the details' };
}
