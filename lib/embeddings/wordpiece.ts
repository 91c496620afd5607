/**
 * A BERT WordPiece tokenizer driven by a Hugging Face `tokenizer.json`, written for the
 * bge-small-zh-v1.5 file but reading every switch from it. It gives the ids of the
 * `tokenizers` library (test/unit/embeddings/wordpiece.test.ts compares against ids
 * that library produced), quirks included:
 *
 * - special tokens typed literally in the text (`[SEP]`) become those tokens, as in
 *   Python, because the file marks them `normalized: false`;
 * - lowercasing is per character, so a final `Σ` becomes `σ`, not `ς`;
 * - a word longer than `max_input_chars_per_word` code points becomes one `[UNK]`.
 *
 * Known divergence: character classes come from Node's Unicode tables (15+), while the
 * Rust crate's punctuation, control and mark tables are years older. A sweep of every
 * code point found 163 of 1,112,064 treated differently (658 with lowercasing, which
 * also strips marks), all characters added or recategorised since, in historic and
 * minority scripts; they end up as `[UNK]` either way, split off or not.
 *
 * Written here rather than taken from npm: the one pure-JS candidate
 * (@huggingface/tokenizers 0.2) disagreed with the reference on CJK extension
 * ideographs; this file is the whole algorithm, with no native code or downloads.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../errors.ts';

/** Switches that override the file's normalizer (the file is used as shipped otherwise). */
export interface NormalizerOverrides {
  lowercase?: boolean;
  /** `null` means "follow lowercase", as in BERT. */
  stripAccents?: boolean | null;
}

export interface WordPieceTokenizer {
  /** Vocabulary ids with `[CLS]`/`[SEP]` added, cut to `maxLength` tokens in all. */
  encode(text: string, maxLength: number): number[];
  /** Tokens of the text itself, untruncated, without `[CLS]`/`[SEP]` (so it fits in `maxLength - 2`). */
  countTokens(text: string): number;
  readonly padId: number;
}

const specSchema = z.object({
  added_tokens: z.array(z.object({ id: z.number().int(), content: z.string(), normalized: z.boolean() })).default([]),
  normalizer: z
    .object({
      type: z.literal('BertNormalizer'),
      clean_text: z.boolean().default(true),
      handle_chinese_chars: z.boolean().default(true),
      strip_accents: z.boolean().nullable().default(null),
      lowercase: z.boolean().default(true),
    })
    .nullable(),
  pre_tokenizer: z.object({ type: z.literal('BertPreTokenizer') }),
  model: z.object({
    type: z.literal('WordPiece'),
    unk_token: z.string(),
    continuing_subword_prefix: z.string(),
    max_input_chars_per_word: z.number().int().positive(),
    vocab: z.record(z.string(), z.number().int().nonnegative()),
  }),
});

// Rust's `char::is_whitespace` is the White_Space property; JS `\s` differs (U+0085, U+FEFF).
const WHITESPACE = /\p{White_Space}/gu;
// clean_text drops NUL, U+FFFD and control, format, private-use and surrogate code
// points, but keeps \t \n \r (they become spaces) and unassigned ones (they become [UNK]).
const CONTROL = /[\0\uFFFD]|(?![\t\n\r])[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;
// The CJK ideograph blocks exactly as the tokenizers crate lists them (note the gap
// U+2B820..U+2B91F, which the original BERT includes).
const CJK =
  /[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}]/gu;
const COMBINING_MARK = /\p{Mn}/gu;
// BERT punctuation: Unicode P* plus all ASCII punctuation (which includes $ + < = > ^ ` | ~).
const PRE_TOKEN = /[\p{P}!-/:-@[-`{-~]|[^\p{White_Space}\p{P}!-/:-@[-`{-~]+/gu;
const SURROGATE = /[\uD800-\uDFFF]/;
const CHANGES_WHEN_LOWERCASED = /\p{Changes_When_Lowercased}/gu;
// Bounds memory of the word cache on endless streams of distinct words.
const WORD_CACHE_LIMIT = 100_000;

/** Reads and validates a tokenizer.json file. */
export function loadWordPieceTokenizer(file: string, overrides: NormalizerOverrides = {}): WordPieceTokenizer {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new AppError('E_MODEL_MISSING', `cannot read tokenizer ${file}: run scripts/setup-model.sh`, { cause });
  }
  return createWordPieceTokenizer(json, overrides);
}

/** Builds a tokenizer from a parsed tokenizer.json. */
export function createWordPieceTokenizer(json: unknown, overrides: NormalizerOverrides = {}): WordPieceTokenizer {
  const parsed = specSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError('E_TOKENIZER_UNSUPPORTED', `tokenizer.json is not a BERT WordPiece tokenizer: ${parsed.error.message}`);
  }
  const spec = parsed.data;
  const { model } = spec;
  const prefix = model.continuing_subword_prefix;

  const starts = new Map<string, number>();
  const continuations = new Map<string, number>();
  let longestPiece = 1;
  for (const [piece, id] of Object.entries(model.vocab)) {
    const cont = piece.startsWith(prefix) && piece.length > prefix.length;
    const key = cont ? piece.slice(prefix.length) : piece;
    (cont ? continuations : starts).set(key, id);
    longestPiece = Math.max(longestPiece, key.length);
  }
  const idOf = (token: string): number => {
    const id = model.vocab[token];
    if (id === undefined) throw new AppError('E_TOKENIZER_UNSUPPORTED', `tokenizer.json has no ${token} token`);
    return id;
  };
  const unkId = idOf(model.unk_token);
  const clsId = idOf('[CLS]');
  const sepId = idOf('[SEP]');
  const padId = idOf('[PAD]');

  const norm = spec.normalizer;
  const lowercase = overrides.lowercase ?? norm?.lowercase ?? false;
  const stripSetting = overrides.stripAccents !== undefined ? overrides.stripAccents : (norm?.strip_accents ?? null);
  const stripAccents = stripSetting ?? lowercase;

  const normalize = (text: string): string => {
    let s = text;
    if (norm?.clean_text) s = s.replace(CONTROL, '').replace(WHITESPACE, ' ');
    if (norm?.handle_chinese_chars) s = s.replace(CJK, ' $& ');
    if (stripAccents) s = s.normalize('NFD').replace(COMBINING_MARK, '');
    if (lowercase) {
      // String.toLowerCase applies Final_Sigma in context; the Rust crate maps each
      // character alone, so do the same whenever a capital sigma is present.
      s = s.includes('Σ') ? s.replace(CHANGES_WHEN_LOWERCASED, (c) => c.toLowerCase()) : s.toLowerCase();
    }
    return s;
  };

  const wordCache = new Map<string, readonly number[]>();
  const unkOnly: readonly number[] = [unkId];

  const wordPieces = (word: string): readonly number[] => {
    const cached = wordCache.get(word);
    if (cached) return cached;
    const result = splitWord(word);
    if (wordCache.size >= WORD_CACHE_LIMIT) wordCache.clear();
    wordCache.set(word, result);
    return result;
  };

  // Greedy longest-match-first, the WordPiece rule; one unknown piece spoils the word.
  const splitWord = (word: string): readonly number[] => {
    const bounds = SURROGATE.test(word) ? codePointBounds(word) : null;
    const chars = bounds ? bounds.length - 1 : word.length;
    if (chars > model.max_input_chars_per_word) return unkOnly;
    const at = (i: number): number => (bounds ? bounds[i]! : i);
    const ids: number[] = [];
    let start = 0;
    while (start < chars) {
      const map = start === 0 ? starts : continuations;
      let end = chars;
      let found: number | undefined;
      for (; end > start; end--) {
        if (at(end) - at(start) > longestPiece) continue;
        found = map.get(word.slice(at(start), at(end)));
        if (found !== undefined) break;
      }
      if (found === undefined) return unkOnly;
      ids.push(found);
      start = end;
    }
    return ids;
  };

  const addedTokens = spec.added_tokens.filter((t) => t.content.length > 0);
  const addedIds = new Map(addedTokens.map((t) => [t.content, t.id]));
  // Longest first, so a token that is a prefix of another never wins the match.
  const addedPattern = addedTokens.length
    ? new RegExp(
        [...addedIds.keys()]
          .sort((a, b) => b.length - a.length)
          .map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('|'),
        'g',
      )
    : null;

  // Every added token in this kind of file is `normalized: false`: it is matched on the
  // raw text, and the text around it is normalized on its own.
  const contentIds = (text: string, limit: number, out: number[]): void => {
    let last = 0;
    if (addedPattern) {
      for (const m of text.matchAll(addedPattern)) {
        pushSegment(text.slice(last, m.index), limit, out);
        if (out.length >= limit) return;
        out.push(addedIds.get(m[0])!);
        last = m.index + m[0].length;
      }
    }
    pushSegment(text.slice(last), limit, out);
  };

  const pushSegment = (segment: string, limit: number, out: number[]): void => {
    if (!segment) return;
    for (const m of normalize(segment).matchAll(PRE_TOKEN)) {
      for (const id of wordPieces(m[0])) {
        if (out.length >= limit) return;
        out.push(id);
      }
    }
  };

  return {
    padId,
    encode(text, maxLength) {
      if (maxLength < 2) throw new AppError('E_INVALID_ARGUMENT', `maxLength must be at least 2, got ${maxLength}`);
      const out = [clsId];
      contentIds(text, maxLength - 1, out);
      out.push(sepId);
      return out;
    },
    countTokens(text) {
      const out: number[] = [];
      contentIds(text, Number.POSITIVE_INFINITY, out);
      return out.length;
    },
  };
}

function codePointBounds(word: string): number[] {
  const bounds = [0];
  let i = 0;
  for (const ch of word) {
    i += ch.length;
    bounds.push(i);
  }
  return bounds;
}
