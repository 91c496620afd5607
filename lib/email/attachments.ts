/**
 * An email's attachments, read at send time from blob storage by reference: a report's artifact of
 * one format, or a document's stored original. Never a path: the draft holds ids only, and the
 * tenant is checked again (the API checked it when the email was accepted).
 */
import type { Readable } from 'node:stream';
import type { BlobStore } from '../blob/port.ts';
import type { Queryable } from '../db/index.ts';
import { getDocument } from '../documents/repository.ts';
import { AppError } from '../errors.ts';
import { REPORT_FILES } from '../reports/exports/index.ts';
import { requireReport, ReportNotFoundError } from '../reports/repository.ts';
import type { LoadedAttachment } from './compose.ts';
import { EMAIL_LIMITS, type AttachmentRef } from './types.ts';

/** The attachment is gone or no longer the tenant's: no retry brings it back. */
export class EmailAttachmentError extends AppError {
  constructor(index: number, detail: string) {
    super('E_EMAIL_ATTACHMENT', `attachments[${index}]: ${detail}`);
  }
}

const DOCUMENT_TYPES: Record<string, string> = {
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  png: 'image/png',
  jpeg: 'image/jpeg',
  tiff: 'image/tiff',
};

/** A file name safe in a header: no control characters or path separators, bounded. */
const safeName = (name: string) =>
  name.replace(/[\u0000-\u001f\u007f/\\]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120) || 'attachment';

async function readAll(stream: Readable, index: number, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new EmailAttachmentError(index, `larger than ${limit} bytes`);
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

export async function loadAttachments(
  deps: { db: Queryable; blobs: BlobStore },
  tenant: string,
  refs: AttachmentRef[],
): Promise<LoadedAttachment[]> {
  let budget: number = EMAIL_LIMITS.attachmentBytes;
  const loaded: LoadedAttachment[] = [];
  for (const [i, ref] of refs.entries()) {
    let key: string;
    let filename: string;
    let contentType: string;
    if ('reportId' in ref) {
      const report = await requireReport(deps.db, ref.reportId).catch((error: unknown) => {
        if (error instanceof ReportNotFoundError) return undefined;
        throw error;
      });
      if (!report || report.tenant !== tenant) throw new EmailAttachmentError(i, `no report ${ref.reportId}`);
      const artifact = report.artifacts.find((a) => a.format === ref.format);
      if (!artifact) throw new EmailAttachmentError(i, `report ${ref.reportId} has no ${ref.format} file`);
      key = artifact.key;
      const file = REPORT_FILES[ref.format];
      filename = `${safeName(report.title)}.${file.extension}`;
      contentType = file.contentType;
    } else {
      const document = await getDocument(deps.db, ref.documentId);
      if (!document || document.tenant !== tenant) throw new EmailAttachmentError(i, `no document ${ref.documentId}`);
      key = document.blobKey;
      filename = safeName(document.filename ?? `${document.id}.${document.docType}`);
      contentType = DOCUMENT_TYPES[document.docType] ?? 'application/octet-stream';
    }
    if (!(await deps.blobs.exists(key))) throw new EmailAttachmentError(i, 'its file is no longer stored');
    const content = await readAll(deps.blobs.read(key), i, budget);
    budget -= content.length;
    loaded.push({ filename, contentType, content });
  }
  return loaded;
}
