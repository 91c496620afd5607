/** Plain text and Markdown: decode with the detected encoding and keep every character. */
import { decodeWith, detectEncoding } from '../encoding.ts';
import { splitFrontMatter } from '../front-matter.ts';
import type { ExtractLimits, ExtractedText } from '../types.ts';
import { readDocumentBytes } from './read.ts';

/** The first ATX heading of level 1 (or else any level) names a Markdown document. */
export function markdownTitle(text: string): string | undefined {
  const head = text.slice(0, 64 * 1024);
  const match = /^ {0,3}# +(.+?)[ #]*$/m.exec(head) ?? /^ {0,3}#{2,6} +(.+?)[ #]*$/m.exec(head);
  return match?.[1];
}

/**
 * Front matter is split off here (not only for `md`): a Markdown file uploaded
 * under a neutral name is sniffed as text and carries the same block.
 */
export async function extractPlainText(filePath: string, limits: ExtractLimits): Promise<ExtractedText> {
  const bytes = await readDocumentBytes(filePath, limits);
  const { body, frontMatter } = splitFrontMatter(decodeWith(bytes, detectEncoding(bytes)));
  return { text: body, ...(frontMatter ? { frontMatter, title: frontMatter.title } : {}) };
}

export async function extractMarkdown(filePath: string, limits: ExtractLimits): Promise<ExtractedText> {
  const { text, frontMatter } = await extractPlainText(filePath, limits);
  // Heading markers, lists and fences stay: the chunker splits sections on `#` lines.
  // The front matter's own title names the document better than its first heading.
  return { text, title: frontMatter?.title ?? markdownTitle(text), ...(frontMatter ? { frontMatter } : {}) };
}
