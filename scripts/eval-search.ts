/**
 * `npm run eval:search`: relevance of the search service on the judged set
 * (test/fixtures/search/judgments.ts over test/fixtures/search/corpus.ts), per
 * engine (PostgreSQL on PGlite, on a real server, and Elasticsearch) and mode
 * (lexical, semantic, hybrid): nDCG@10 and recall@10, then per kind of query for
 * hybrid. `EVAL_VERBOSE=1` also lists each query's score and top hits;
 * `EVAL_HYBRID='{"semanticWeight":2,"k":20,"semanticFloor":0.35}'` overrides the
 * service's fusion defaults (HYBRID_DEFAULTS), for tuning.
 * scripts/eval-search.sh starts the services first.
 */
import type { SearchServiceDeps } from '../lib/search/service.ts';
import { judgments } from '../test/fixtures/search/judgments.ts';
import { searchCorpus } from '../test/fixtures/search/corpus.ts';
import { closeCorpusEmbedder } from '../test/fixtures/search/records.ts';
import { corpusSearchService, evaluateMode, hardNegativeViolations, loadCorpus, MODES, type ModeScore } from '../test/helpers/search-relevance.ts';
import { searchTargets, type OpenedEngine } from '../test/helpers/search-targets.ts';

const verbose = process.env.EVAL_VERBOSE === '1';
const fusion = process.env.EVAL_HYBRID ? (JSON.parse(process.env.EVAL_HYBRID) as SearchServiceDeps['hybrid']) : undefined;

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - [...text].length));

function printVerbose(score: ModeScore) {
  for (const q of score.queries) {
    console.log(`    ${q.ndcg.toFixed(2)} ${q.recall.toFixed(2)} [${q.judgment.kind}] ${q.judgment.query}  →  ${q.ranked.slice(0, 5).join(', ')}`);
  }
}

console.log(`corpus: ${searchCorpus.length} documents; judged queries: ${judgments.length}${fusion ? `; fusion ${JSON.stringify(fusion)}` : ''}`);
const summary: string[] = [];
for (const target of searchTargets()) {
  let opened: OpenedEngine | undefined;
  try {
    opened = await target.open();
    await loadCorpus(opened.db, opened.engine);
    const service = corpusSearchService(opened.db, opened.engine, fusion);
    const scores: ModeScore[] = [];
    for (const mode of MODES) scores.push(await evaluateMode(service, mode));
    for (const score of scores) {
      const line = `${pad(target.name, 22)} ${pad(score.mode, 9)} nDCG@10=${score.ndcg.toFixed(3)} recall@10=${score.recall.toFixed(3)}`;
      console.log(line);
      summary.push(line);
      if (verbose) printVerbose(score);
    }
    const hybrid = scores.find((s) => s.mode === 'hybrid')!;
    console.log(
      `  hybrid by kind: ${Object.entries(hybrid.byKind)
        .map(([kind, s]) => `${kind} ${s.ndcg.toFixed(2)}/${s.recall.toFixed(2)} (${s.queries})`)
        .join(', ')}`,
    );
    const violations = hardNegativeViolations(hybrid);
    console.log(`  hybrid hard negatives above the answer: ${violations.length === 0 ? 'none' : violations.map((v) => `${v.query} → ${v.negative}`).join('; ')}`);
  } catch (error) {
    const line = `${pad(target.name, 22)} not evaluated: ${error instanceof Error ? error.message : String(error)}`;
    console.log(line);
    summary.push(line);
    process.exitCode = 1;
  } finally {
    await opened?.close().catch((error: unknown) => console.error(`closing ${target.name}:`, error));
  }
}
await closeCorpusEmbedder();
console.log('\nsummary (nDCG@10, recall@10 per engine and mode):');
for (const line of summary) console.log(line);
