import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createIngestActivities } from '../activities/ingest.ts';
import type { createOcrActivities } from '../activities/ocr.ts';
import { ingestProgressQuery, searchAttributes, type IngestInput, type IngestProgress } from './definitions.ts';
import { requestSearchSync } from './search-sync-request.ts';

type IngestActivities = ReturnType<typeof createIngestActivities>;

const backoff = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' } as const;

/** Short database bookkeeping, run as local activities: no server round trip for a one-row update. */
const bookkeeping = proxyLocalActivities<IngestActivities>({
  startToCloseTimeout: '30s',
  retry: { ...backoff, maximumAttempts: 20 },
});
/**
 * Parsing and chunking: CPU-bound on a pool thread, bounded by the upload size limit
 * (a PDF may take its 120 s parse limit); the activity heartbeats every 5 s meanwhile.
 */
const parsing = proxyActivities<IngestActivities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '30s',
  retry: { ...backoff, maximumAttempts: 5 },
});
/**
 * A small text document's preparation (parse, chunk, index, embed: about a second of
 * work, longer only when queued behind other documents on the model), run by the worker
 * that runs this workflow: no activity task through the server. It cannot heartbeat;
 * the worker keeps the workflow task alive meanwhile, and a lost worker's task times out
 * and runs again elsewhere.
 */
const localPreparing = proxyLocalActivities<IngestActivities>({
  startToCloseTimeout: '5m',
  retry: { ...backoff, maximumAttempts: 5 },
});
/** OCR: page by page, each page bounded by OCR_PAGE_TIMEOUT_MS, heartbeating every 5 s and per page. */
const ocr = proxyActivities<ReturnType<typeof createOcrActivities>>({
  startToCloseTimeout: '1h',
  heartbeatTimeout: '30s',
  retry: { ...backoff, maximumAttempts: 3 },
});
/** Embedding: many short batches that heartbeat, so a lost worker is noticed in seconds. */
const embedding = proxyActivities<IngestActivities>({
  startToCloseTimeout: '15m',
  heartbeatTimeout: '15s',
  retry: { ...backoff, maximumAttempts: 30 },
});

export interface IngestResult {
  documentId: string;
  status: 'ready' | 'deleted';
  chunks: number;
}

/**
 * Upload → extract → chunk → embed → index → ready, for one stored document.
 * A rejected document fails the run with the rejection's E_* type; the reason is kept on the document.
 */
export async function ingestDocument(input: IngestInput): Promise<IngestResult> {
  const { documentId, prepareLocally } = input;
  const state: IngestProgress = { stage: 'queued', progress: 0, chunks: 0, embedded: 0 };
  setHandler(ingestProgressQuery, () => state);
  const advance = (stage: IngestProgress['stage'], progress: number) => Object.assign(state, { stage, progress });

  try {
    advance('extracting', 0.05);
    // The input says which shape the run was started with (see IngestInput), so a new run
    // pays for no version marker. Runs started before it: the patch tells theirs apart.
    const preparedInOneStep = prepareLocally !== undefined || patched('prepare-in-one-activity');
    let counts: EmbeddingCounts;
    if (preparedInOneStep) {
      counts = await prepare(documentId, advance, prepareLocally ? localPreparing : parsing);
    } else {
      await bookkeeping.beginIngestion({ documentId });
      const chunks = await prepareInSteps(documentId, advance);
      counts = { total: chunks, pending: chunks };
    }
    state.chunks = counts.total;

    // Large documents: the rest in rounds, each committed batch by batch.
    const showEmbedded = () => {
      state.embedded = counts.total - counts.pending;
      advance('embedding', 0.2 + 0.7 * (counts.total ? state.embedded / counts.total : 1));
    };
    showEmbedded();
    for (let before = Infinity; counts.pending > 0; before = counts.pending) {
      counts = await embedding.embedPendingChunks({ documentId });
      showEmbedded();
      // A round that embeds nothing would repeat forever; stop with a reason instead.
      if (counts.pending > 0 && counts.pending >= before) throw ApplicationFailure.nonRetryable('embedding made no progress', 'E_EMBEDDING_STALLED');
    }

    if (!preparedInOneStep) {
      advance('indexing', 0.92);
      await parsing.indexDocument({ documentId });
    }

    await bookkeeping.finishIngestion({ documentId, outcome: 'ready' });
    advance('ready', 1);
    setJobStatus('ready');
    await requestSearchSync();
    return { documentId, status: 'ready', chunks: counts.total };
  } catch (error) {
    const code = failureCode(error);
    if (code === 'E_DOCUMENT_GONE') return { documentId, status: 'deleted', chunks: 0 };
    const cancelled = isCancellation(error);
    const outcome = cancelled ? 'cancelled' : 'failed';
    const reason = cancelled
      ? { code: 'E_CANCELLED', message: 'ingestion was cancelled' }
      : { code: code ?? 'E_INGEST_FAILED', message: failureMessage(error) };
    // Record the outcome even though this workflow's scope is being cancelled.
    await CancellationScope.nonCancellable(async () => {
      await bookkeeping.finishIngestion({ documentId, outcome, error: reason });
      setJobStatus(outcome);
    });
    advance(outcome, state.progress);
    if (cancelled) throw error;
    // Fail the run itself, so the Web UI shows it red; the document row keeps the reason.
    throw ApplicationFailure.nonRetryable(reason.message, reason.code);
  }
}

type Advance = (stage: IngestProgress['stage'], progress: number) => void;
type EmbeddingCounts = { total: number; pending: number };

/**
 * Extract, chunk, index and embed the first round in one activity, so a small
 * document is one round trip; a scan without text goes through OCR first.
 */
async function prepare(documentId: string, advance: Advance, preparing: Pick<IngestActivities, 'prepareDocument'>): Promise<EmbeddingCounts> {
  const prepared = await preparing.prepareDocument({ documentId });
  if (!prepared.needsOcr) return prepared;
  advance('ocr', 0.05);
  const { textKey } = await ocr.recognizeDocumentText({ documentId });
  advance('chunking', 0.15);
  return parsing.prepareDocument({ documentId, textKey });
}

/** The steps of runs started before `prepare-in-one-activity`; indexing follows embedding. */
async function prepareInSteps(documentId: string, advance: Advance): Promise<number> {
  const { textKey } = await parsing.extractDocumentText({ documentId });
  advance('chunking', 0.15);
  return (await parsing.chunkDocument({ documentId, textKey })).chunks;
}

function setJobStatus(status: string): void {
  upsertSearchAttributes([{ key: searchAttributes.jobStatus, value: status }]);
}

/** The E_* type the activity failed with; workflows branch on it, never on message text. */
function failureCode(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(error);
}
