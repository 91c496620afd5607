import { Context } from '@temporalio/activity';
import { Readable } from 'node:stream';
import type { BlobStore } from '../lib/blob/port.ts';
import type { Database } from '../lib/db/index.ts';
import { extractedTextKey } from '../lib/documents/blob-keys.ts';
import { chunkText } from '../lib/documents/chunk.ts';
import { countChunks, indexChunks, pendingChunks, replaceChunks, storeEmbeddings } from '../lib/documents/chunk-repository.ts';
import { extractText } from '../lib/documents/extract/index.ts';
import { getDocument, updateDocumentStage, type DocumentRecord } from '../lib/documents/repository.ts';
import type { DocumentType, ExtractLimits } from '../lib/documents/types.ts';
import type { Embedder } from '../lib/embeddings/port.ts';
import { AppError } from '../lib/errors.ts';
import { withFailureMapping } from './failures.ts';

export interface IngestDeps {
  db: Database;
  blobs: BlobStore;
  embedder: Embedder;
  chunking: { maxTokens: number; overlapTokens: number };
  /** Extraction limits beyond the defaults (the file size limit follows the upload limit). */
  extractLimits?: Partial<ExtractLimits>;
  /** Splits text into space-separated words for the full-text index (jieba for Chinese). */
  segment: (text: string) => string;
  /** Chunks embedded and committed together; a crash loses at most one batch of work. */
  embedBatchSize: number;
}

/** Chunks one embedding activity handles before handing progress back to the workflow. */
const chunksPerEmbeddingRound = 256;

/** The ingestion steps; every one is safe to run again after a crash. */
export function createIngestActivities(deps: IngestDeps) {
  const { db, blobs, embedder } = deps;

  async function requireDocument(documentId: string): Promise<DocumentRecord> {
    const document = await getDocument(db, documentId);
    if (!document) throw new AppError('E_DOCUMENT_GONE', `document ${documentId} was deleted`);
    return document;
  }

  return withFailureMapping({
    async beginIngestion({ documentId }: { documentId: string }): Promise<void> {
      await requireDocument(documentId);
      await updateDocumentStage(db, documentId, { status: 'running', stage: 'extracting', progress: 0.05, error: null });
    },

    /** Reads the stored upload, extracts its normalized text, and stores that text as a blob. */
    async extractDocumentText({ documentId }: { documentId: string }): Promise<{ textKey: string; characters: number }> {
      const document = await requireDocument(documentId);
      const file = await blobs.localPath(document.blobKey);
      // Extraction normalizes, and rejects a document without text.
      const extracted = await extractText(file, document.docType as DocumentType, deps.extractLimits);
      const text = extracted.text;
      const textKey = extractedTextKey(documentId);
      await blobs.put(textKey, Readable.from([text]));
      if (!document.title && extracted.title) {
        await db.query('update documents set title = $2 where id = $1 and title is null', [documentId, extracted.title.slice(0, 500)]);
      }
      await updateDocumentStage(db, documentId, { stage: 'chunking', progress: 0.15 });
      return { textKey, characters: text.length };
    },

    /** Splits the text into token-bounded chunks and stores them (without vectors yet). */
    async chunkDocument({ documentId, textKey }: { documentId: string; textKey: string }): Promise<{ chunks: number }> {
      const text = await readText(blobs, textKey);
      const document = await requireDocument(documentId);
      const chunks = chunkText(text, {
        maxTokens: Math.min(deps.chunking.maxTokens, embedder.maxTokens - 2),
        overlapTokens: deps.chunking.overlapTokens,
        countTokens: (s) => embedder.countTokens(s),
        format: document.docType as DocumentType,
      });
      if (chunks.length === 0) throw new AppError('E_NO_TEXT', 'the document contains no text');
      await replaceChunks(
        db,
        documentId,
        chunks.map((c) => ({ ...c, heading: c.headingPath.join(' › ') || null })),
      );
      await updateDocumentStage(db, documentId, { stage: 'embedding', progress: 0.2, chunkCount: chunks.length });
      return { chunks: chunks.length };
    },

    /**
     * Embeds chunks still lacking a vector, batch by batch, heartbeating after each.
     * Work is keyed by chunk, so a retry after a crash resumes where the last committed batch ended.
     */
    async embedPendingChunks({ documentId }: { documentId: string }): Promise<{ total: number; pending: number }> {
      const context = Context.current();
      const pending = await pendingChunks(db, documentId, chunksPerEmbeddingRound);
      // The write of one batch overlaps the inference of the next, so the model never waits on the database.
      let writing: Promise<void> = Promise.resolve();
      for (let start = 0; start < pending.length; start += deps.embedBatchSize) {
        const batch = pending.slice(start, start + deps.embedBatchSize);
        const vectors = await embedder.embedPassages(batch.map((c) => c.text));
        await writing;
        if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
        writing = storeEmbeddings(db, documentId, batch.map((c, i) => ({ index: c.index, vector: vectors[i]! }))).then(() =>
          context.heartbeat({ embedded: start + batch.length }),
        );
        writing.catch(() => {}); // awaited above on the next turn; this only keeps Node from calling it unhandled
      }
      await writing;
      const counts = await countChunks(db, documentId);
      const progress = 0.2 + 0.7 * (counts.total ? (counts.total - counts.pending) / counts.total : 1);
      await updateDocumentStage(db, documentId, { progress });
      return counts;
    },

    /** Writes the full-text index entries of every chunk. */
    async indexDocument({ documentId }: { documentId: string }): Promise<void> {
      await updateDocumentStage(db, documentId, { stage: 'indexing', progress: 0.92 });
      await indexChunks(db, documentId, deps.segment);
    },

    async finishIngestion(input: {
      documentId: string;
      outcome: 'ready' | 'failed' | 'cancelled';
      error?: { code: string; message: string };
    }): Promise<void> {
      const { documentId, outcome } = input;
      if (outcome === 'ready') {
        await db.query('update documents set embedding_model = $2, embedding_dim = $3 where id = $1', [
          documentId,
          embedder.modelId,
          embedder.dimension,
        ]);
      }
      await updateDocumentStage(db, documentId, {
        status: outcome,
        stage: outcome,
        progress: outcome === 'ready' ? 1 : undefined,
        error: input.error ?? null,
      });
      if (outcome === 'ready') await blobs.delete(extractedTextKey(documentId));
    },
  });
}

async function readText(blobs: BlobStore, key: string): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of blobs.read(key)) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
