import { estimateTokens } from './adapters/openai.ts';
import type { TokenCounterSpec } from './port.ts';
import { loadWordPieceTokenizer } from './wordpiece.ts';

const built = new Map<string, (text: string) => number>();

/** The counter a `TokenCounterSpec` describes, built once per thread (a tokenizer file is megabytes). */
export function createTokenCounter(spec: TokenCounterSpec): (text: string) => number {
  const key = JSON.stringify(spec);
  let counter = built.get(key);
  if (!counter) {
    if (spec.kind === 'estimate') counter = estimateTokens;
    else {
      const tokenizer = loadWordPieceTokenizer(spec.tokenizerFile, { lowercase: spec.lowercase });
      counter = (text) => tokenizer.countTokens(text);
    }
    built.set(key, counter);
  }
  return counter;
}
