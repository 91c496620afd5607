/**
 * Turning a stored file into chunks ready for embedding and search: extract,
 * normalize, chunk by the model's own token count, and segment each chunk's
 * words for the full-text index. Pure CPU work; it runs on a pool thread
 * (`pool.ts`), never on the worker's event loop, where it would starve the
 * heartbeats of the activities beside it.
 */
import { readFile } from 'node:fs/promises';
import { createTokenCounter } from '../../embeddings/token-counter.ts';
import type { TokenCounterSpec } from '../../embeddings/port.ts';
import { AppError } from '../../errors.ts';
import { segmentForIndex } from '../../search/segment.ts';
import { chunkText } from '../chunk.ts';
import type { StoredChunk } from '../chunk-repository.ts';
import { extractText } from '../extract/index.ts';
import { normalizeText } from '../normalize.ts';
import type { DocumentType, ExtractedText, ExtractLimits } from '../types.ts';

export interface PrepareInput {
  /** A stored upload of the sniffed `type`, or (`kind: 'text'`) text recognised from it by OCR. */
  source: { kind: 'file' | 'text'; path: string; type: DocumentType };
  limits: Partial<ExtractLimits>;
  chunking: { maxTokens: number; overlapTokens: number };
  tokenCounter: TokenCounterSpec;
}

/** A chunk as stored, with its words (jieba for Chinese) for the full-text index. */
export type PreparedChunk = StoredChunk & { words: string };

export interface PreparedDocument {
  chunks: PreparedChunk[];
  characters: number;
  title?: string;
  pages?: number;
  frontMatter?: ExtractedText['frontMatter'];
}

/** Errors cross the thread boundary as data: a structured clone would lose the AppError class. */
export type PrepareOutcome = { ok: true; document: PreparedDocument } | { ok: false; code: string; message: string; retryable: boolean };

export async function prepareDocument(input: PrepareInput): Promise<PrepareOutcome> {
  try {
    return { ok: true, document: await prepare(input) };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, code: error.code, message: error.message, retryable: error.retryable };
    throw error;
  }
}

async function prepare({ source, limits, chunking, tokenCounter }: PrepareInput): Promise<PreparedDocument> {
  const extracted: ExtractedText =
    source.kind === 'file'
      ? await extractText(source.path, source.type, limits)
      : { text: normalizeText(await readFile(source.path, 'utf8')) };
  const countTokens = createTokenCounter(tokenCounter);
  const chunks = chunkText(extracted.text, {
    maxTokens: chunking.maxTokens,
    overlapTokens: chunking.overlapTokens,
    countTokens,
    // Recognised text has no Markdown structure to honour.
    format: source.kind === 'text' ? 'txt' : source.type,
  });
  if (chunks.length === 0) throw new AppError('E_NO_TEXT', 'the document contains no text');
  return {
    chunks: chunks.map((c) => ({
      index: c.index,
      text: c.text,
      tokenCount: c.tokenCount,
      start: c.start,
      end: c.end,
      heading: c.headingPath.join(' › ') || null,
      words: segmentForIndex(c.text),
    })),
    characters: extracted.text.length,
    ...(extracted.title ? { title: extracted.title } : {}),
    ...(extracted.pages !== undefined ? { pages: extracted.pages } : {}),
    ...(extracted.frontMatter ? { frontMatter: extracted.frontMatter } : {}),
  };
}

export default prepareDocument;
