/**
 * Entry point of the PDF sandbox process (see pdf-sandbox.ts): reads one PDF
 * and reports the text or the error over IPC, then exits.
 */
import { DocumentRejectedError, type DocumentRejectionCode } from '../../errors.ts';
import type { ExtractLimits, ExtractedText } from '../types.ts';
import { readPdfText } from './pdf.ts';

export type PdfChildRequest = { filePath: string; limits: ExtractLimits };
export type PdfChildReply =
  | { ok: ExtractedText }
  | { rejected: { code: DocumentRejectionCode; message: string } }
  | { failed: { message: string; code?: string } };

function replyFor(error: unknown): PdfChildReply {
  if (error instanceof DocumentRejectedError) {
    return { rejected: { code: error.code as DocumentRejectionCode, message: error.message } };
  }
  const { message, code } = error as { message?: unknown; code?: unknown };
  return { failed: { message: String(message ?? error), ...(typeof code === 'string' ? { code } : {}) } };
}

// An orphan (the worker that asked died) has no one to answer: stop at once.
process.once('disconnect', () => process.exit(0));

process.once('message', (request: PdfChildRequest) => {
  readPdfText(request.filePath, request.limits).then(
    (ok): PdfChildReply => ({ ok }),
    replyFor,
  ).then((reply) => {
    process.send?.(reply, () => process.exit(0));
  }).catch(() => process.exit(1)); // no reply could be sent: the parent sees the exit
});
