/**
 * The steps of ingestion runs started before extraction and chunking became one
 * activity (`prepareDocument`). A run in flight across that upgrade replays its
 * history and calls these (workflows/ingest-document.ts, patch
 * `prepare-in-one-activity`); remove them once no such run can remain.
 */
import { Readable } from 'node:stream';
import { extractedTextKey } from '../lib/documents/blob-keys.ts';
import { chunkText } from '../lib/documents/chunk.ts';
import { indexChunks, replaceChunks } from '../lib/documents/chunk-repository.ts';
import { extractText } from '../lib/documents/extract/index.ts';
import { updateDocumentStage } from '../lib/documents/repository.ts';
import { AppError } from '../lib/errors.ts';
import { segmentForIndex } from '../lib/search/segment.ts';
import type { BlobStore } from '../lib/blob/port.ts';
import type { Database } from '../lib/db/index.ts';
import type { DocumentType, ExtractLimits } from '../lib/documents/types.ts';
import type { Embedder } from '../lib/embeddings/port.ts';

interface LegacyDeps {
  db: Database;
  blobs: BlobStore;
  embedder: Embedder;
  chunking: { maxTokens: number; overlapTokens: number };
  extractLimits?: Partial<ExtractLimits>;
}

export function createLegacyIngestSteps(deps: LegacyDeps, requireDocument: (id: string) => Promise<{ blobKey: string; docType: string }>) {
  const { db, blobs, embedder } = deps;
  return {
    /** Now the first thing `prepareDocument` does. */
    async beginIngestion({ documentId }: { documentId: string }): Promise<void> {
      await requireDocument(documentId);
      await updateDocumentStage(db, documentId, { status: 'running', stage: 'extracting', progress: 0.05, error: null });
    },

    async extractDocumentText({ documentId }: { documentId: string }): Promise<{ textKey: string; characters: number }> {
      const document = await requireDocument(documentId);
      const extracted = await extractText(await blobs.localPath(document.blobKey), document.docType as DocumentType, deps.extractLimits);
      const textKey = extractedTextKey(documentId);
      await blobs.put(textKey, Readable.from([extracted.text]));
      await updateDocumentStage(db, documentId, { stage: 'chunking', progress: 0.15 });
      return { textKey, characters: extracted.text.length };
    },

    async chunkDocument({ documentId, textKey }: { documentId: string; textKey: string }): Promise<{ chunks: number }> {
      const parts: Buffer[] = [];
      for await (const part of blobs.read(textKey)) parts.push(part as Buffer);
      const document = await requireDocument(documentId);
      const chunks = chunkText(Buffer.concat(parts).toString('utf8'), {
        maxTokens: Math.min(deps.chunking.maxTokens, embedder.maxTokens - 2),
        overlapTokens: deps.chunking.overlapTokens,
        countTokens: (s) => embedder.countTokens(s),
        format: document.docType as DocumentType,
      });
      if (chunks.length === 0) throw new AppError('E_NO_TEXT', 'the document contains no text');
      await replaceChunks(db, documentId, chunks.map((c) => ({ ...c, heading: c.headingPath.join(' › ') || null })));
      await updateDocumentStage(db, documentId, { stage: 'embedding', progress: 0.2 });
      return { chunks: chunks.length };
    },

    async indexDocument({ documentId }: { documentId: string }): Promise<void> {
      await updateDocumentStage(db, documentId, { stage: 'indexing', progress: 0.92 });
      await indexChunks(db, documentId, segmentForIndex);
    },
  };
}
