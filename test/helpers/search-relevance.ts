/**
 * Relevance measured on the judged set (test/fixtures/search/judgments.ts): the
 * corpus indexed into an engine the way the sync workflow would (records upserted,
 * words counted into the vocabulary), every judged query run through the search
 * service in each mode, scored by nDCG@10 and recall@10. Shared by
 * `npm run eval:search` and the relevance floor test.
 */
import type { Database } from '../../lib/db/index.ts';
import { registerEmbeddingModel } from '../../lib/embeddings/registry.ts';
import type { SearchEngine } from '../../lib/search/port.ts';
import { createSearchService, type DocumentHitView, type SearchMode, type SearchService, type SearchServiceDeps } from '../../lib/search/service.ts';
import { createVocabulary } from '../../lib/search/vocabulary.ts';
import { judgments, type Judgment, type JudgmentKind } from '../fixtures/search/judgments.ts';
import { CORPUS_TENANT, corpusEmbedder, corpusRecords, embedQuery, INGEST_CHUNKING } from '../fixtures/search/records.ts';
import { storeDocuments } from '../integration/search/source-rows.ts';

export const MODES: SearchMode[] = ['lexical', 'semantic', 'hybrid'];
const K = 10;

/** Normalised discounted cumulative gain of the first `k` ids, with gains 2^grade - 1. */
export function ndcgAt(ranked: string[], relevant: Record<string, number>, k = K): number {
  const gain = (grade: number) => 2 ** grade - 1;
  const dcg = ranked.slice(0, k).reduce((sum, id, i) => sum + gain(relevant[id] ?? 0) / Math.log2(i + 2), 0);
  const ideal = Object.values(relevant)
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, grade, i) => sum + gain(grade) / Math.log2(i + 2), 0);
  return ideal === 0 ? 0 : dcg / ideal;
}

/** Share of the relevant documents (grade ≥ 1) among the first `k`. */
export function recallAt(ranked: string[], relevant: Record<string, number>, k = K): number {
  const wanted = Object.keys(relevant).filter((id) => relevant[id]! > 0);
  const top = new Set(ranked.slice(0, k));
  return wanted.length === 0 ? 1 : wanted.filter((id) => top.has(id)).length / wanted.length;
}

/**
 * Indexes the corpus into `engine` as the sync workflow would: the rows into the
 * platform's tables (where the PostgreSQL engine reads them), the records upserted,
 * their words into the vocabulary.
 */
export async function loadCorpus(db: Database, engine: SearchEngine): Promise<void> {
  const embedder = await corpusEmbedder();
  await registerEmbeddingModel(db, embedder.modelId, embedder.dimension);
  // Chunked as ingestion chunks by default, so the measure is the product's.
  const records = await corpusRecords(CORPUS_TENANT, INGEST_CHUNKING);
  await storeDocuments(db, records);
  await engine.ensureReady();
  for (let i = 0; i < records.length; i += 25) await engine.upsert('documents', records.slice(i, i + 25));
  // The words sync records (lib/search/sync.ts recordText): the title and the chunks.
  await createVocabulary(db).record('documents', records.map((r) => [r.title ?? '', ...r.chunks.map((c) => c.text)].join('\n')));
}

const queryVectors = new Map<string, Promise<Float32Array>>();

/** The search service over a loaded corpus; `hybrid` overrides the fusion's defaults (for tuning). */
export function corpusSearchService(db: Database, engine: SearchEngine, hybrid?: SearchServiceDeps['hybrid']): SearchService {
  const queryEmbeddings = {
    embed(query: string) {
      if (!queryVectors.has(query)) queryVectors.set(query, embedQuery(query));
      return queryVectors.get(query)!;
    },
  };
  return createSearchService({ db, engine, vocabulary: createVocabulary(db), queryEmbeddings, hybrid });
}

export interface QueryScore {
  judgment: Judgment;
  ranked: string[];
  ndcg: number;
  recall: number;
}

export interface ModeScore {
  mode: SearchMode;
  ndcg: number;
  recall: number;
  byKind: Record<JudgmentKind, { ndcg: number; recall: number; queries: number }>;
  queries: QueryScore[];
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

/** Every judged query through the service in `mode`, top 10. */
export async function evaluateMode(service: SearchService, mode: SearchMode, set: Judgment[] = judgments): Promise<ModeScore> {
  const queries: QueryScore[] = [];
  for (const judgment of set) {
    const answer = await service.search(CORPUS_TENANT, 'documents', { query: judgment.query, mode, limit: K });
    const ranked = answer.hits.map((h) => (h as DocumentHitView).documentId);
    queries.push({ judgment, ranked, ndcg: ndcgAt(ranked, judgment.relevant), recall: recallAt(ranked, judgment.relevant) });
  }
  const byKind = {} as ModeScore['byKind'];
  for (const kind of new Set(set.map((j) => j.kind))) {
    const of = queries.filter((q) => q.judgment.kind === kind);
    byKind[kind] = { ndcg: mean(of.map((q) => q.ndcg)), recall: mean(of.map((q) => q.recall)), queries: of.length };
  }
  return { mode, ndcg: mean(queries.map((q) => q.ndcg)), recall: mean(queries.map((q) => q.recall)), byKind, queries };
}

/** Hard negatives ranked above the query's best answer, per query (empty: none). */
export function hardNegativeViolations(score: ModeScore): { query: string; negative: string }[] {
  const violations: { query: string; negative: string }[] = [];
  for (const q of score.queries) {
    const best = Object.entries(q.judgment.relevant).filter(([, g]) => g === 3).map(([id]) => q.ranked.indexOf(id)).filter((r) => r >= 0);
    const bestRank = best.length > 0 ? Math.min(...best) : Number.POSITIVE_INFINITY;
    for (const negative of q.judgment.hardNegatives ?? []) {
      const rank = q.ranked.indexOf(negative);
      if (rank >= 0 && rank < bestRank) violations.push({ query: q.judgment.query, negative });
    }
  }
  return violations;
}
