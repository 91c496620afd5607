import type { FrontMatter } from './front-matter.ts';

/** The document formats the knowledge base ingests, decided from the bytes by `sniffDocumentType`. */
export type DocumentType = 'txt' | 'md' | 'html' | 'pdf' | 'docx' | 'png' | 'jpeg' | 'tiff';

export const DOCUMENT_TYPES: readonly DocumentType[] = ['txt', 'md', 'html', 'pdf', 'docx', 'png', 'jpeg', 'tiff'];

/** Scans and photos: they have no text layer, so their text comes only from OCR (lib/documents/ocr). */
export type ImageDocumentType = 'png' | 'jpeg' | 'tiff';
export const IMAGE_DOCUMENT_TYPES: readonly ImageDocumentType[] = ['png', 'jpeg', 'tiff'];
export const isImageDocumentType = (type: string): type is ImageDocumentType =>
  (IMAGE_DOCUMENT_TYPES as readonly string[]).includes(type);

/** Plain text pulled out of a document, already normalized (see `normalizeText`). */
export interface ExtractedText {
  text: string;
  /** From the document's own metadata (PDF info, docx core properties, HTML <title>) or its first top heading. */
  title?: string;
  /** Page count, for PDFs. */
  pages?: number;
  /** Title, tags, language and metadata from YAML/TOML front matter (text and Markdown), already split off `text`. */
  frontMatter?: FrontMatter;
}

/**
 * Bounds that keep one hostile or oversized file from exhausting the worker.
 * Every limit rejects the document (`DocumentRejectedError`) rather than
 * truncating it: a half-indexed document would silently answer wrong.
 */
export interface ExtractLimits {
  /** Largest file accepted, in bytes. Default 50 MiB, the upload limit. */
  maxFileBytes: number;
  /** Most characters of extracted text. Default 20 million. */
  maxExtractedChars: number;
  /** Most bytes a docx may inflate to, summed over its zip entries. Default 200 MiB. */
  maxDocxUncompressedBytes: number;
  /** Highest uncompressed:compressed ratio for a zip entry (or the whole zip). Default 100. */
  maxCompressionRatio: number;
  /** Most zip entries in a docx; a central directory of millions of entries is an attack. Default 10,000. */
  maxZipEntries: number;
  /** Most pages of a PDF. Default 2,000. */
  maxPdfPages: number;
  /** Wall-clock time the PDF reader may take. Default 120 s. */
  pdfTimeoutMs: number;
  /**
   * Memory (resident set) the PDF reader process may use. A PDF's streams are
   * compressed too, and pdfjs inflates a content stream whole, so a small file can
   * demand gigabytes. Default 1.5 GiB.
   */
  maxPdfMemoryBytes: number;
}

export const DEFAULT_EXTRACT_LIMITS: Readonly<ExtractLimits> = Object.freeze({
  maxFileBytes: 50 * 1024 * 1024,
  maxExtractedChars: 20_000_000,
  maxDocxUncompressedBytes: 200 * 1024 * 1024,
  maxCompressionRatio: 100,
  maxZipEntries: 10_000,
  maxPdfPages: 2_000,
  pdfTimeoutMs: 120_000,
  maxPdfMemoryBytes: 1.5 * 1024 * 1024 * 1024,
});

/** Fills in defaults and refuses nonsense values, naming the option. */
export function resolveExtractLimits(limits: Partial<ExtractLimits> = {}): ExtractLimits {
  const resolved = { ...DEFAULT_EXTRACT_LIMITS };
  for (const [name, value] of Object.entries(limits) as [keyof ExtractLimits, unknown][]) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_EXTRACT_LIMITS)) throw new RangeError(`Unknown extract limit "${name}"`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`Extract limit "${name}" must be a positive finite number, got ${String(value)}`);
    }
    resolved[name] = value;
  }
  return resolved;
}
