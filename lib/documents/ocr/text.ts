/** Turns Tesseract's output into the project's canonical text. */
import { normalizeText } from '../normalize.ts';

/**
 * Characters written without spaces between them: Han ideographs, Japanese kana,
 * CJK symbols and punctuation (、。「」, but not the ideographic space), full-width
 * forms (，：？). Hangul is not among them: Korean separates its words with spaces.
 */
const UNSPACED = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\u3001-\\u303F\\uFF00-\\uFFEF';
const SPACE_BETWEEN_UNSPACED = new RegExp(`([${UNSPACED}])[ \\t]+(?=[${UNSPACED}])`, 'gu');

/**
 * Tesseract's Chinese models often put a space between every two characters
 * ("差 旅 报 销"), which breaks word segmentation and phrase search. Spaces
 * between two such characters go; spaces between Latin words, and between a
 * Latin word and a Chinese one ("ERP 系统"), stay as written.
 */
export function removeCjkSpaces(text: string): string {
  return text.replace(SPACE_BETWEEN_UNSPACED, '$1');
}

/**
 * Text of recognised pages, joined as paragraphs, normalized (`normalizeText`)
 * and then without CJK spacing (normalizing first turns odd spaces into plain
 * ones). Leading spaces go too: in OCR output they are layout, not Markdown nesting.
 */
export function cleanOcrText(pages: readonly string[]): string {
  return removeCjkSpaces(normalizeText(pages.join('\n\n')).replace(/^[ \t]+/gm, ''));
}
