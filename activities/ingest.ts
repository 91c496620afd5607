import { Context } from '@temporalio/activity';
import type { BlobStore } from '../lib/blob/port.ts';
import type { Database } from '../lib/db/index.ts';
import type { CacheScope } from '../lib/cache/index.ts';
import { extractedTextKey } from '../lib/documents/blob-keys.ts';
import { tagsOfDocumentChange } from '../lib/documents/cache-tags.ts';
import { countChunks, pendingChunks, replaceChunks, storeEmbeddings } from '../lib/documents/chunk-repository.ts';
import type { PreparePool } from '../lib/documents/prepare/pool.ts';
import type { PreparedDocument } from '../lib/documents/prepare/task.ts';
import { applyExtractedMetadata, getDocument, updateDocumentStage, type DocumentRecord } from '../lib/documents/repository.ts';
import { isImageDocumentType, type DocumentType, type ExtractLimits } from '../lib/documents/types.ts';
import type { Embedder } from '../lib/embeddings/port.ts';
import { AppError } from '../lib/errors.ts';
import { withFailureMapping } from './failures.ts';
import { beat, keepBeating } from './heartbeat.ts';
import { createLegacyIngestSteps } from './ingest-legacy.ts';

export interface IngestDeps {
  db: Database;
  blobs: BlobStore;
  embedder: Embedder;
  /** Parsing, chunking and segmentation run here, off the event loop. */
  preparePool: PreparePool;
  chunking: { maxTokens: number; overlapTokens: number };
  /** Extraction limits beyond the defaults (the file size limit follows the upload limit). */
  extractLimits?: Partial<ExtractLimits>;
  /** Chunks embedded and committed together; a crash loses at most one batch of work. */
  embedBatchSize: number;
  /** Whether Tesseract is installed: a scanned document then goes to OCR instead of failing. */
  ocrAvailable: boolean;
  /** Cached answers built from documents are dropped (on every API process) when one finishes. */
  cache: Pick<CacheScope, 'invalidateTags'>;
}

type EmbeddingCounts = { total: number; pending: number };

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

  /** The document's chunks from a pool thread; undefined for a scan without text that OCR can read. */
  async function prepareOnPool(document: DocumentRecord, textKey: string | undefined, signal: AbortSignal): Promise<PreparedDocument | undefined> {
    const type = document.docType as DocumentType;
    const source = textKey
      ? { kind: 'text' as const, path: await blobs.localPath(textKey), type }
      : { kind: 'file' as const, path: await blobs.localPath(document.blobKey), type };
    try {
      return await deps.preparePool.prepare(
        {
          source,
          limits: deps.extractLimits ?? {},
          chunking: { maxTokens: Math.min(deps.chunking.maxTokens, embedder.maxTokens - 2), overlapTokens: deps.chunking.overlapTokens },
          tokenCounter: embedder.tokenCounter,
        },
        signal,
      );
    } catch (error) {
      const scanned = type === 'pdf' || isImageDocumentType(type);
      if (!textKey && scanned && deps.ocrAvailable && error instanceof AppError && error.code === 'E_NO_TEXT') return undefined;
      throw error;
    }
  }

  /**
   * One round of up to `chunksPerEmbeddingRound` chunks, committed batch by batch; then the
   * counts left. `fresh`: the chunks just stored, all pending, so none is read back.
   */
  async function embedRound(documentId: string, context: Context, fresh?: readonly { index: number; text: string }[]): Promise<EmbeddingCounts> {
    const pending = fresh?.slice(0, chunksPerEmbeddingRound) ?? (await pendingChunks(db, documentId, chunksPerEmbeddingRound));
    let embedded = 0;
    // A batch may wait its turn on the model behind other documents' batches: keep beating meanwhile.
    const stopBeating = keepBeating(context, () => ({ embedded }));
    try {
      const batches: (typeof pending)[] = [];
      for (let start = 0; start < pending.length; start += deps.embedBatchSize) batches.push(pending.slice(start, start + deps.embedBatchSize));
      const infer = (batch: typeof pending | undefined) => {
        const vectors = batch && embedder.embedPassages(batch.map((c) => c.text));
        vectors?.catch(() => {}); // awaited in its turn; this only keeps Node from calling it unhandled meanwhile
        return vectors;
      };
      // The next batch is already queued on the model while this one is written, so the model never waits
      // on the database or on this loop.
      let writing: Promise<void> = Promise.resolve();
      let inference = infer(batches[0]);
      for (let i = 0; i < batches.length; i++) {
        const batch = batches[i]!;
        const vectors = (await inference)!;
        inference = infer(batches[i + 1]);
        await writing;
        if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
        writing = storeEmbeddings(db, documentId, batch.map((c, k) => ({ index: c.index, vector: vectors[k]! }))).then(() => {
          embedded += batch.length;
          beat(context, { embedded });
        });
        writing.catch(() => {}); // awaited above on the next turn; this only keeps Node from calling it unhandled
      }
      await writing;
    } finally {
      stopBeating();
    }
    const counts = fresh ? { total: fresh.length, pending: fresh.length - embedded } : await countChunks(db, documentId);
    // Once all are embedded, finishing records the progress.
    if (counts.pending > 0) await updateDocumentStage(db, documentId, { progress: 0.2 + (0.7 * (counts.total - counts.pending)) / counts.total });
    return counts;
  }

  return withFailureMapping({
    /**
     * A document from its stored upload to its first round of vectors in one step (a
     * small document in one round trip): marks it running, extracts, chunks and indexes
     * it (the text of `textKey` once OCR has read it), then embeds. Answers `needsOcr`
     * for a scan without a text layer when Tesseract is installed. Chunks committed by
     * an earlier attempt are kept, with their vectors.
     */
    async prepareDocument({ documentId, textKey }: { documentId: string; textKey?: string }): Promise<EmbeddingCounts & { needsOcr?: boolean }> {
      const context = Context.current();
      const document = await requireDocument(documentId);
      const committed = document.chunkCount > 0 && (await countChunks(db, documentId)).total === document.chunkCount;
      if (committed) return embedRound(documentId, context);
      await updateDocumentStage(db, documentId, { status: 'running', stage: textKey ? 'chunking' : 'extracting', error: null });
      const stopBeating = keepBeating(context);
      let prepared: PreparedDocument | undefined;
      try {
        prepared = await prepareOnPool(document, textKey, context.cancellationSignal);
        if (!prepared) return { total: 0, pending: 0, needsOcr: true };
        const found = prepared.frontMatter ?? {};
        await applyExtractedMetadata(db, documentId, { ...found, title: found.title ?? prepared.title });
        await replaceChunks(db, documentId, prepared.chunks);
        await updateDocumentStage(db, documentId, { stage: 'embedding', progress: 0.2 });
      } finally {
        stopBeating();
      }
      return embedRound(documentId, context, prepared.chunks);
    },

    /**
     * Embeds chunks still lacking a vector, batch by batch, heartbeating after each.
     * Work is keyed by chunk, so a retry after a crash resumes where the last committed batch ended.
     */
    embedPendingChunks: ({ documentId }: { documentId: string }) => embedRound(documentId, Context.current()),

    async finishIngestion(input: {
      documentId: string;
      outcome: 'ready' | 'failed' | 'cancelled';
      error?: { code: string; message: string };
    }): Promise<void> {
      const { documentId, outcome } = input;
      const ready = outcome === 'ready';
      const updated = await updateDocumentStage(db, documentId, {
        status: outcome,
        stage: outcome,
        progress: ready ? 1 : undefined,
        error: input.error ?? null,
        embedding: ready ? { model: embedder.modelId, dimension: embedder.dimension } : undefined,
      });
      if (updated) await deps.cache.invalidateTags(tagsOfDocumentChange(updated.tenant));
      // Recognised text is only needed until the chunks hold it.
      await blobs.delete(extractedTextKey(documentId));
    },

    ...createLegacyIngestSteps(deps, requireDocument),
  });
}
