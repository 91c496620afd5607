import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

let jieba: Jieba | undefined;

/**
 * Splits Chinese and English text into lower-cased words joined by spaces, for
 * PostgreSQL's `simple` text-search config. Segmenting in Node keeps Chinese
 * search the same on every engine; the dictionary ships with the package.
 * Search-engine mode (`cutForSearch`) also emits the shorter words inside long ones.
 */
export function segmentForIndex(text: string): string {
  jieba ??= Jieba.withDict(dict);
  return jieba
    .cutForSearch(text, true)
    .map((word) => word.trim().toLowerCase())
    .filter((word) => /[\p{L}\p{N}]/u.test(word))
    .join(' ');
}
