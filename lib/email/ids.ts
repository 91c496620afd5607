/** Email and email-template ids (node:crypto: not for workflow code; the workflow id is in workflows/email-definitions.ts). */
import { createHash, randomBytes } from 'node:crypto';

/** `em_` + 24 lower-case hex. */
export const EMAIL_ID_PATTERN = '^em_[0-9a-f]{24}$';
export const EMAIL_TEMPLATE_ID_PATTERN = '^etpl_[0-9a-f]{24}$';

export const newEmailId = () => `em_${randomBytes(12).toString('hex')}`;
export const newEmailTemplateId = () => `etpl_${randomBytes(12).toString('hex')}`;

/** The email id of a request sent with an idempotency key: from the tenant and the key, so a repeat (even racing) is the same row and run. */
export function idempotentEmailId(tenant: string, key: string): string {
  return `em_${createHash('sha256').update(`email\n${tenant}\n${key}`).digest('hex').slice(0, 24)}`;
}

/** The deterministic Message-ID of an outbox message: the same on every attempt, so a resend is recognisably the same message. */
export const messageIdOf = (emailId: string, seq: number, domain: string) => `<${emailId}.${seq}@${domain}>`;
