/** Report and template ids (node:crypto: not for workflow code; the workflow id is in workflows/report-definitions.ts). */
import { createHash, randomBytes } from 'node:crypto';

/** `rpt_` + 24 lower-case hex: lower case, so it is also a valid blob key segment. */
export const REPORT_ID_PATTERN = '^rpt_[0-9a-f]{24}$';
export const TEMPLATE_ID_PATTERN = '^tpl_[0-9a-f]{24}$';

export const newReportId = () => `rpt_${randomBytes(12).toString('hex')}`;
export const newTemplateId = () => `tpl_${randomBytes(12).toString('hex')}`;

/**
 * The report id of a request sent with an Idempotency-Key: from the tenant and the
 * key, so a repeat (even racing) is the same row and the same workflow run.
 */
export function idempotentReportId(tenant: string, key: string): string {
  return `rpt_${createHash('sha256').update(`${tenant}\n${key}`).digest('hex').slice(0, 24)}`;
}

/** SHA-256 of a request body as parsed, to tell a repeat from another request under the same key. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}
