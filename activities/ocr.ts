import { Context } from '@temporalio/activity';
import { Readable } from 'node:stream';
import type { BlobStore } from '../lib/blob/port.ts';
import type { Database } from '../lib/db/index.ts';
import { extractedTextKey } from '../lib/documents/blob-keys.ts';
import { recognizeText } from '../lib/documents/ocr/index.ts';
import { getDocument, updateDocumentStage } from '../lib/documents/repository.ts';
import { isImageDocumentType, type DocumentType } from '../lib/documents/types.ts';
import { AppError, DocumentRejectedError } from '../lib/errors.ts';
import { withFailureMapping } from './failures.ts';
import { keepBeating } from './heartbeat.ts';

/** OCR limits from the config (OCR_MAX_PAGES, OCR_PAGE_TIMEOUT_MS, OCR_TOTAL_TIMEOUT_MS, OCR_LANGUAGES). */
export interface OcrLimits {
  maxPages: number;
  pageTimeoutMs: number;
  totalTimeoutMs: number;
  languages: string;
  /** Most characters of text, as for extraction. */
  maxChars?: number;
}

export interface OcrDeps {
  db: Database;
  blobs: BlobStore;
  limits: OcrLimits;
}

/** Where OCR sits in a document's progress: after extraction found no text (0.05), before chunking (0.15). */
const OCR_PROGRESS = { from: 0.05, to: 0.15 };

export function createOcrActivities(deps: OcrDeps) {
  const { db, blobs, limits } = deps;

  return withFailureMapping({
    /**
     * Reads a scanned document's text with OCR, after extraction found none (a PDF
     * without a text layer, or an image), and stores it where extraction would
     * have (`extractedTextKey`), so chunking follows unchanged. Reports each page
     * in a heartbeat `{ page, pages }` and in the document's progress (stage 'ocr').
     * A retry starts again from the first page. Without Tesseract: E_NO_TEXT.
     */
    async recognizeDocumentText({ documentId }: { documentId: string }): Promise<{ textKey: string; pages: number; characters: number }> {
      const context = Context.current();
      const document = await getDocument(db, documentId);
      if (!document) throw new AppError('E_DOCUMENT_GONE', `document ${documentId} was deleted`);
      const type = document.docType as DocumentType;
      if (type !== 'pdf' && !isImageDocumentType(type)) {
        throw new DocumentRejectedError('E_NO_TEXT', 'The document contains no text');
      }
      const file = await blobs.localPath(document.blobKey);
      await updateDocumentStage(db, documentId, { stage: 'ocr', progress: OCR_PROGRESS.from });

      let details: { page: number; pages: number } | undefined;
      // Between pages too: one page may take up to OCR_PAGE_TIMEOUT_MS in its child process.
      const stopBeating = keepBeating(context, () => details);
      try {
        const { text, pages } = await recognizeText(file, type, {
          ...limits,
          signal: context.cancellationSignal,
          onPage: async (page, pages) => {
            details = { page, pages };
            context.heartbeat(details);
            const progress = OCR_PROGRESS.from + ((OCR_PROGRESS.to - OCR_PROGRESS.from) * page) / pages;
            await updateDocumentStage(db, documentId, { stage: 'ocr', progress });
          },
        });
        const textKey = extractedTextKey(documentId);
        await blobs.put(textKey, Readable.from([text]));
        return { textKey, pages, characters: text.length };
      } finally {
        stopBeating();
      }
    },
  });
}
