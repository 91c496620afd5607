/**
 * Hybrid ranking: reciprocal rank fusion of the lexical and the vector ranking.
 * RRF needs no score calibration between BM25 / ts_rank and cosine similarity,
 * which differ in scale per engine and per query; only the ranks are fused, so
 * both engines fuse the same way.
 */
import type { EngineHit } from '../port.ts';

export interface FusedHit {
  hit: EngineHit;
  score: number;
  /** Whether the lexical ranking has it (a word of the query matched). */
  lexical: boolean;
}

export interface FusionOptions {
  /** The RRF constant: larger flattens the advantage of the first ranks (60 in the original paper). */
  k?: number;
  /** Weight of the vector ranking relative to the lexical one (1: equal). */
  semanticWeight?: number;
  /**
   * Cosine similarity below which a vector hit that matched no word is left out:
   * every document is *somewhere* in the vector ranking, so without a floor an
   * unrelated document would join the answer just for being the least far.
   */
  semanticFloor?: number;
}

export const RRF_K = 60;

/** Fused best first; ties by id, as engines order ties. */
export function reciprocalRankFusion(lexical: EngineHit[], nearest: EngineHit[], options: FusionOptions = {}): FusedHit[] {
  const k = options.k ?? RRF_K;
  const weight = options.semanticWeight ?? 1;
  const floor = options.semanticFloor ?? -1;
  const fused = new Map<string, FusedHit>();
  lexical.forEach((hit, rank) => {
    fused.set(hit.id, { hit, score: 1 / (k + rank + 1), lexical: true });
  });
  nearest.forEach((hit, rank) => {
    const entry = fused.get(hit.id);
    if (entry) entry.score += weight / (k + rank + 1);
    else if (hit.score >= floor) fused.set(hit.id, { hit, score: weight / (k + rank + 1), lexical: false });
  });
  return [...fused.values()].sort((a, b) => b.score - a.score || (a.hit.id < b.hit.id ? -1 : a.hit.id > b.hit.id ? 1 : 0));
}
