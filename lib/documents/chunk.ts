/**
 * Structure-aware chunking for embedding and search.
 *
 * The text becomes units (chunking/units.ts): heading lines, sentences, and
 * for sentences over budget, lines or fragments. Units are packed greedily in
 * order until the next would overflow `maxTokens`; a chunk then ends at the
 * last paragraph start if that keeps it at least half full. A heading starts
 * a new chunk (unless the chunk so far holds only headings, so a chapter
 * heading stays with its first subsection), and overlap never crosses one.
 * Each chunk after the first in a section begins with whole trailing
 * sentences of the previous chunk, at most `overlapTokens` of them.
 *
 * Unit token counts are summed, not recounted, so the work is linear in the
 * text; each chunk is then counted once as a whole, and shrunk if the counter
 * is not additive (a BPE tokenizer may count the joined text higher), so every
 * chunk's `countTokens(text) <= maxTokens` holds for any counter.
 */
import type { DocumentType } from './types.ts';
import { estimateTokens } from './chunking/tokens.ts';
import { buildUnits, type Unit } from './chunking/units.ts';

export { estimateTokens };

export interface Chunk {
  /** Position in the document, from 0. */
  index: number;
  /** Exactly `text.slice(start, end)` of the chunked text. */
  text: string;
  tokenCount: number;
  /** Character offsets (UTF-16 code units) into the chunked text. */
  start: number;
  end: number;
  /** Titles of the headings the chunk sits under, outermost first; empty before the first heading. */
  headingPath: string[];
}

export interface ChunkOptions {
  /** Largest chunk, in tokens of `countTokens`. A positive integer. */
  maxTokens: number;
  /** Most tokens a chunk repeats from the previous one. 0 to `maxTokens / 2`; default 0. */
  overlapTokens?: number;
  /** The embedding model's token counter; default `estimateTokens`. */
  countTokens?: (s: string) => number;
  /** Where the text came from. 'md', 'html' and 'docx' recognise Markdown headings, fences and list lines (plain text, PDFs and OCR of scans do not); default 'md'. */
  format?: DocumentType;
}

/** A chunk ends at a paragraph start when that keeps it at least this full. */
const PARAGRAPH_END_MIN_FILL = 0.5;

function validate(options: ChunkOptions): Required<Omit<ChunkOptions, 'format'>> & { structured: boolean } {
  const { maxTokens, overlapTokens = 0, countTokens = estimateTokens, format = 'md' } = options;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new RangeError(`chunkText: maxTokens must be a positive integer, got ${maxTokens}`);
  if (!Number.isInteger(overlapTokens) || overlapTokens < 0 || overlapTokens > maxTokens / 2) {
    throw new RangeError(`chunkText: overlapTokens must be an integer from 0 to maxTokens / 2 (${maxTokens / 2}), got ${overlapTokens}`);
  }
  if (typeof countTokens !== 'function') throw new TypeError('chunkText: countTokens must be a function');
  return { maxTokens, overlapTokens, countTokens, structured: format === 'md' || format === 'html' || format === 'docx' };
}

const canOverlap = (unit: Unit) => unit.kind === 'sentence' || unit.kind === 'line';

/**
 * Where the next chunk starts, given its first new unit `first`: back over whole
 * sentences of the previous chunk (which began at `previousStart`) while they
 * fit in `overlapTokens`, never back to the previous chunk's own start.
 */
function overlapStart(units: readonly Unit[], first: number, previousStart: number, overlapTokens: number): number {
  if (overlapTokens === 0 || first === 0 || units[first]!.sectionStart) return first;
  let at = first;
  let tokens = 0;
  while (at - 1 > previousStart) {
    const unit = units[at - 1]!;
    if (!canOverlap(unit) || tokens + unit.tokens > overlapTokens) break;
    tokens += unit.tokens;
    at--;
  }
  return at;
}

function sumTokens(units: readonly Unit[], from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += units[i]!.tokens;
  return sum;
}

/** The first new unit after `first` that cannot join, packing greedily from `start` (the overlap). */
function packEnd(units: readonly Unit[], start: number, first: number, maxTokens: number): number {
  let tokens = sumTokens(units, start, first);
  let hasBody = false;
  for (let i = start; i < first; i++) if (units[i]!.kind !== 'heading') hasBody = true;
  let end = first;
  while (end < units.length) {
    const unit = units[end]!;
    if (end > first && unit.sectionStart && hasBody) break;
    if (end > first && tokens + unit.tokens > maxTokens) break;
    tokens += unit.tokens;
    if (unit.kind !== 'heading') hasBody = true;
    end++;
  }
  if (end >= units.length || units[end]!.sectionStart) return end;
  // Overflowing: prefer ending before a paragraph if the chunk stays reasonably full.
  for (let at = end - 1; at > first; at--) {
    if (!units[at]!.paragraphStart) continue;
    if (sumTokens(units, start, at) >= maxTokens * PARAGRAPH_END_MIN_FILL) return at;
    break;
  }
  return end;
}

/** Splits `text` into chunks; see the module comment for the rules. Deterministic: same input, same chunks. */
export function chunkText(text: string, options: ChunkOptions): Chunk[] {
  const { maxTokens, overlapTokens, countTokens, structured } = validate(options);
  const units = buildUnits(text, { structured, maxTokens, count: countTokens });
  const chunks: Chunk[] = [];
  let first = 0;
  let previousStart = -1;
  while (first < units.length) {
    let start = overlapStart(units, first, previousStart, overlapTokens);
    // The overlap gives way when it and the first new unit do not fit together.
    while (start < first && sumTokens(units, start, first + 1) > maxTokens) start++;
    let end = packEnd(units, start, first, maxTokens);
    let chunkTextValue = text.slice(units[start]!.start, units[end - 1]!.end);
    let tokenCount = countTokens(chunkTextValue);
    while (tokenCount > maxTokens && (start < first || end > first + 1)) {
      if (start < first) start++;
      else end--;
      chunkTextValue = text.slice(units[start]!.start, units[end - 1]!.end);
      tokenCount = countTokens(chunkTextValue);
    }
    const body = units.slice(start, end).find((u) => u.kind !== 'heading') ?? units[end - 1]!;
    chunks.push({
      index: chunks.length,
      text: chunkTextValue,
      tokenCount,
      start: units[start]!.start,
      end: units[end - 1]!.end,
      headingPath: [...body.path],
    });
    previousStart = start;
    first = end;
  }
  return chunks;
}
