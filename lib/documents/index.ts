/**
 * The document capability: what a file is, its text, and that text in chunks
 * ready for embedding and search.
 */
export { sniffDocumentType, sniffDocumentFile, SNIFF_BYTES } from './sniff.ts';
export { extractText } from './extract/index.ts';
export { normalizeText } from './normalize.ts';
export { chunkText, estimateTokens, type Chunk, type ChunkOptions } from './chunk.ts';
export { detectEncoding, decodeWith, type EncodingGuess } from './encoding.ts';
export {
  DEFAULT_EXTRACT_LIMITS,
  DOCUMENT_TYPES,
  resolveExtractLimits,
  type DocumentType,
  type ExtractLimits,
  type ExtractedText,
} from './types.ts';
