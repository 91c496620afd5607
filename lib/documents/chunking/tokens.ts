/**
 * A tokenizer-free token estimate, for sizing chunks when no real tokenizer is
 * at hand. Calibrated against BPE/WordPiece tokenizers used for embeddings:
 * one CJK character is about one token, an English word about 1.3 (short words
 * one, long words about one per 3.5 letters), digits about one per three, each
 * punctuation mark or symbol one. Whitespace is free.
 *
 * It is subadditive (the estimate of a joined string never exceeds the sum of
 * the parts'), so summing the estimates of sentences never undercounts a chunk.
 * One pass over char codes, no regex: it runs over every unit of a 10 MB text.
 */

function wordTokens(letters: number): number {
  return letters <= 4 ? 1 : letters / 3.5;
}

function digitTokens(digits: number): number {
  return Math.max(1, digits / 3);
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isWhitespace(c: number): boolean {
  return c <= 0x20 || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200b) || c === 0x2028 || c === 0x2029 || c === 0xfeff;
}

/** Letters of alphabetic scripts (Latin-1 and extended, Greek, Cyrillic, Arabic, Indic...) join words. */
function isOtherLetter(c: number): boolean {
  return c >= 0xc0 && c < 0x2000 && c !== 0xd7 && c !== 0xf7;
}

/** Estimated token count of `s` (an integer, 0 only for blank text). */
export function estimateTokens(s: string): number {
  let tokens = 0;
  let letters = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isAsciiLetter(c) || isOtherLetter(c)) {
      if (digits > 0) {
        tokens += digitTokens(digits);
        digits = 0;
      }
      letters++;
      continue;
    }
    if (c >= 0x30 && c <= 0x39) {
      if (letters > 0) {
        tokens += wordTokens(letters);
        letters = 0;
      }
      digits++;
      continue;
    }
    if (letters > 0) {
      tokens += wordTokens(letters);
      letters = 0;
    }
    if (digits > 0) {
      tokens += digitTokens(digits);
      digits = 0;
    }
    if (isWhitespace(c)) continue;
    if (c >= 0xd800 && c <= 0xdbff) {
      // Astral characters (emoji, rare CJK) take one to four byte-level tokens.
      tokens += 2;
      i++;
      continue;
    }
    // Han, kana, Hangul, CJK and ASCII punctuation, symbols: one token each.
    tokens += 1;
  }
  if (letters > 0) tokens += wordTokens(letters);
  if (digits > 0) tokens += digitTokens(digits);
  // The epsilon keeps float noise (3.0000000001) from adding a token.
  return tokens > 0 ? Math.ceil(tokens - 1e-9) : 0;
}
