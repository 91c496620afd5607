/** Plain text and Markdown: decode with the detected encoding and keep every character. */
import { decodeWith, detectEncoding } from '../encoding.ts';
import type { ExtractLimits, ExtractedText } from '../types.ts';
import { readDocumentBytes } from './read.ts';

/** The first ATX heading of level 1 (or else any level) names a Markdown document. */
export function markdownTitle(text: string): string | undefined {
  const head = text.slice(0, 64 * 1024);
  const match = /^ {0,3}# +(.+?)[ #]*$/m.exec(head) ?? /^ {0,3}#{2,6} +(.+?)[ #]*$/m.exec(head);
  return match?.[1];
}

export async function extractPlainText(filePath: string, limits: ExtractLimits): Promise<ExtractedText> {
  const bytes = await readDocumentBytes(filePath, limits);
  return { text: decodeWith(bytes, detectEncoding(bytes)) };
}

export async function extractMarkdown(filePath: string, limits: ExtractLimits): Promise<ExtractedText> {
  const { text } = await extractPlainText(filePath, limits);
  // Heading markers, lists and fences stay: the chunker splits sections on `#` lines.
  return { text, title: markdownTitle(text) };
}
