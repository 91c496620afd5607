/**
 * Relevance floors on the judged set (test/fixtures/search/judgments.ts), through
 * the search service, on every engine: hybrid must beat semantic-only search (the
 * issue's bar: today's semantic endpoint is a strong baseline), hybrid nDCG@10 must
 * not fall below what was measured, and hard negatives must stay below the answer.
 * `npm run eval:search` prints the full table.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeCorpusEmbedder } from '../../fixtures/search/records.ts';
import { corpusSearchService, evaluateMode, hardNegativeViolations, loadCorpus, type ModeScore } from '../../helpers/search-relevance.ts';
import { searchTargets, type OpenedEngine } from '../../helpers/search-targets.ts';

/**
 * Measured hybrid nDCG@10 at the service's defaults (2026-11-30, bge-small-zh-v1.5-q,
 * 64 documents, 49 queries): PostgreSQL 0.767 (PGlite and server alike),
 * Elasticsearch 0.777; minus a margin for engine and model-runtime noise. The issue
 * aims at 0.90: raise this as relevance improves (`npm run eval:search`).
 */
const HYBRID_NDCG_FLOOR = 0.7;
/** Hybrid may lose to semantic on no more than this (rounding of equal rankings, not a real loss). */
const TIE = 0.001;

after(() => closeCorpusEmbedder());

for (const target of searchTargets()) {
  describe(`relevance on ${target.name}`, () => {
    let opened: OpenedEngine | undefined;
    const scores: Partial<Record<'lexical' | 'semantic' | 'hybrid', ModeScore>> = {};

    before(async () => {
      opened = await target.open();
      await loadCorpus(opened.db, opened.engine);
      const service = corpusSearchService(opened.db, opened.engine);
      for (const mode of ['lexical', 'semantic', 'hybrid'] as const) scores[mode] = await evaluateMode(service, mode);
      for (const score of Object.values(scores)) console.log(`# ${target.name} ${score.mode}: nDCG@10 ${score.ndcg.toFixed(3)}, recall@10 ${score.recall.toFixed(3)}`);
    });
    after(() => opened?.close());

    it('hybrid beats semantic-only search', () => {
      assert.ok(scores.hybrid!.ndcg + TIE >= scores.semantic!.ndcg, `hybrid ${scores.hybrid!.ndcg.toFixed(3)} < semantic ${scores.semantic!.ndcg.toFixed(3)}`);
      assert.ok(scores.hybrid!.ndcg + TIE >= scores.lexical!.ndcg, `hybrid ${scores.hybrid!.ndcg.toFixed(3)} < lexical ${scores.lexical!.ndcg.toFixed(3)}`);
    });

    it(`hybrid nDCG@10 stays at or above ${HYBRID_NDCG_FLOOR}`, () => {
      assert.ok(scores.hybrid!.ndcg >= HYBRID_NDCG_FLOOR, `hybrid nDCG@10 ${scores.hybrid!.ndcg.toFixed(3)}`);
    });

    it('boolean queries and exact words find their answers', () => {
      // Operators are the lexical ranking's job: hybrid must keep what it finds.
      for (const kind of ['boolean', 'en', 'zh'] as const) {
        assert.ok(scores.hybrid!.byKind[kind].ndcg >= 0.8, `${kind}: ${scores.hybrid!.byKind[kind].ndcg.toFixed(3)}`);
      }
    });

    it('keeps hard negatives below the answer', () => {
      const violations = hardNegativeViolations(scores.hybrid!);
      // Measured: one (苹果电脑申请 finds the canteen's apples before the English laptop page).
      assert.ok(violations.length <= 1, JSON.stringify(violations));
    });
  });
}
