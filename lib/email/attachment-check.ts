/**
 * Attachments are references, checked when the email is accepted: a report of the
 * tenant that has succeeded and has the file asked for, or a document of the tenant
 * that is not being deleted. The worker reads the bytes from blob storage at send
 * time (lib/email/attachments.ts), so no caller ever names a path or a URL.
 */
import type { Queryable } from '../db/index.ts';
import { getTenantDocument } from '../documents/repository.ts';
import { getReport } from '../reports/repository.ts';
import { EmailInputError } from './templates.ts';
import { EMAIL_LIMITS, type AttachmentRef } from './types.ts';

/** Checks every reference (400 naming `attachments.<i>.<field>`); answers their total size in bytes. */
export async function checkAttachments(db: Queryable, tenant: string, refs: readonly AttachmentRef[]): Promise<number> {
  const errors: { field: string; detail: string }[] = [];
  let bytes = 0;
  const seen = new Set<string>();
  for (const [i, ref] of refs.entries()) {
    const key = 'documentId' in ref ? `d:${ref.documentId}` : `r:${ref.reportId}:${ref.format}`;
    if (seen.has(key)) {
      errors.push({ field: `attachments.${i}`, detail: 'the same file is attached twice' });
      continue;
    }
    seen.add(key);
    if ('documentId' in ref) {
      const document = await getTenantDocument(db, tenant, ref.documentId);
      if (!document) errors.push({ field: `attachments.${i}.documentId`, detail: `no document ${ref.documentId}` });
      else if (document.status === 'deleting') errors.push({ field: `attachments.${i}.documentId`, detail: `document ${ref.documentId} is being deleted` });
      else bytes += document.sizeBytes;
      continue;
    }
    const report = await getReport(db, tenant, ref.reportId);
    if (!report) {
      errors.push({ field: `attachments.${i}.reportId`, detail: `no report ${ref.reportId}` });
      continue;
    }
    if (report.status !== 'succeeded') {
      errors.push({ field: `attachments.${i}.reportId`, detail: `report ${ref.reportId} is ${report.status}: its files can be attached once it has succeeded` });
      continue;
    }
    const artifact = report.artifacts.find((a) => a.format === ref.format);
    if (!artifact) errors.push({ field: `attachments.${i}.format`, detail: `report ${ref.reportId} has no ${ref.format} file (it has ${report.artifacts.map((a) => a.format).join(', ')})` });
    else bytes += artifact.bytes;
  }
  if (errors.length > 0) throw new EmailInputError(errors);
  if (bytes > EMAIL_LIMITS.attachmentBytes) {
    throw new EmailInputError([{ field: 'attachments', detail: `the attachments add up to ${bytes} bytes; at most ${EMAIL_LIMITS.attachmentBytes}` }], 413);
  }
  return bytes;
}
