/**
 * Lexical search: the page of hits, then (one pass) the total, facets and stats.
 *
 * Relevance is `ts_rank_cd` (cover density, length-normalized) per text field,
 * times the field's boost and the word's fuzzy weight, summed; a document scores
 * its title plus its best chunk (a long document is not better for repeating a
 * word), times a mild recency factor (up to 1.1, halving over a year, as on
 * Elasticsearch). Ties go to the smaller id. A query with no words to rank by is
 * ordered by recency (documents) or id, so an index can serve the page.
 */
import type { Queryable } from '../../../db/index.ts';
import { INDEXES, textFields, type IndexName } from '../../indexes.ts';
import type { EngineHit, EngineResult, LexicalRequest } from '../../port.ts';
import { translateClause, type RankTerm } from './clause.ts';
import { aggregate, countMatching, type Matching } from './facets.ts';
import { afterCondition, filterConditions, orderBy, sortKeys } from './filters.ts';
import { documentFields, documentSnippets, recordFields } from './hits.ts';
import { weighByRarity } from './idf.ts';
import { chunkScore, RECENCY, rowScore } from './scoring.ts';
import { CHUNK_LIMIT, isContent, layout, Params } from './sql.ts';

export async function lexicalSearch(tx: Queryable, request: LexicalRequest): Promise<EngineResult> {
  const { index } = request;
  const params = new Params();
  const base = layout[index].base(params, request.tenant);
  const translated = translateClause(index, request.clause, params);
  const filters = filterConditions(index, request.filters, params);
  const matching: Matching = { from: layout[index].from, where: [base, translated.where, ...filters].join(' and '), params: params.values };
  const limit = Math.max(0, Math.floor(request.limit));
  const offset = Math.max(0, Math.floor(request.offset));
  const byField = request.sort.length > 0;
  const ranked = !byField && translated.ranks.length > 0;

  let hits: EngineHit[] = [];
  let windowTotal: number | undefined;
  if (limit > 0) {
    const ranks = ranked ? await weighByRarity(tx, index, translated.ranks) : translated.ranks;
    const page = ranked ? await rankedPage(tx, index, matching, ranks, limit, offset) : await orderedPage(tx, request, matching, limit, offset);
    hits = page.hits;
    windowTotal = page.total;
    if (index === 'documents') await documentSnippets(tx, hits, ranks);
  }
  if (request.facets.length > 0) return { hits, ...(await aggregate(tx, index, request.facets, matching)) };
  const total = windowTotal ?? (await countMatching(tx, matching));
  return { hits, total, facets: {}, stats: {} };
}

type Row = Record<string, unknown>;

/** By relevance: every match scored, the page cut from the top; the total comes with it. */
async function rankedPage(tx: Queryable, index: IndexName, matching: Matching, ranks: RankTerm[], limit: number, offset: number) {
  const params = new Params();
  params.values.push(...matching.params);
  const page = `order by score desc, id collate "C" limit ${params.add(limit)} offset ${params.add(offset)}`;
  let sql: string;
  if (index === 'documents') {
    const chunk = chunkScore(ranks, params);
    const best = chunk
      ? `best as (select c.document_id, max(${chunk.score}) as score from chunks c
           where c.document_id in (select id from matched) and c.idx < ${CHUNK_LIMIT} and c.search_vector @@ ${chunk.query}
           group by c.document_id)`
      : `best as (select null::text as document_id, 0::float8 as score where false)`;
    sql = `with matched as (select d.id, ${rowScore(index, ranks, params)} as title_score, ${RECENCY} as recency from ${matching.from} where ${matching.where}),
      ${best},
      scored as (select m.id, (m.title_score + coalesce(b.score, 0)) * m.recency as score from matched m left join best b on b.document_id = m.id),
      page as (select id, score, count(*) over () as total from scored ${page})
      select p.id, p.score, p.total, ${documentFields} from page p join documents d on d.id = p.id order by p.score desc, p.id collate "C"`;
  } else {
    sql = `with page as (select d.id, ${rowScore(index, ranks, params)} as score, count(*) over () as total from ${matching.from} where ${matching.where} ${page})
      select p.id, p.score, p.total, ${recordFields(index)} from page p join ${layout[index].from} on d.id = p.id order by p.score desc, p.id`;
  }
  const { rows } = await tx.query<Row>(sql, params.values);
  // Past the last match the window is empty: the total is counted apart then.
  const total = rows.length > 0 ? Number(rows[0]!.total) : offset === 0 ? 0 : undefined;
  return { hits: rows.map((row) => toHit(index, row)), total };
}

/** By fields (keyset `after`), or by recency/id when nothing ranks: an index can serve the page. */
async function orderedPage(tx: Queryable, request: LexicalRequest, matching: Matching, limit: number, offset: number) {
  const { index } = request;
  const params = new Params();
  params.values.push(...matching.params);
  const keys = sortKeys(index, request.sort);
  const byField = request.sort.length > 0;
  const after = byField ? afterCondition(index, keys, request.after, params) : 'true';
  const order = byField ? orderBy(keys) : index === 'documents' ? `d.created_at desc, ${layout[index].idOrder}` : layout[index].idOrder;
  const score = index === 'documents' && !byField ? RECENCY : byField ? '0' : '1';
  const fields = index === 'documents' ? documentFields : recordFields(index);
  const sortValues = byField ? keys.map((k, i) => `${k.value} as sv${i}`).join(', ') + ', ' : '';
  const pageAt = byField && request.after && request.after.length > 0 ? 0 : offset;
  const { rows } = await tx.query<Row>(
    `select d.id, ${score}::float8 as score, ${sortValues}${fields} from ${matching.from}
     where ${matching.where} and ${after} order by ${order} limit ${params.add(limit)} offset ${params.add(pageAt)}`,
    params.values,
  );
  return {
    hits: rows.map((row) => ({ ...toHit(index, row), ...(byField ? { sortValues: keys.map((_, i) => row[`sv${i}`] as string | number) } : {}) })),
    total: undefined,
  };
}

function toHit(index: IndexName, row: Row): EngineHit {
  const fields: Record<string, unknown> = { id: row.id };
  for (const field of Object.keys(INDEXES[index].fields)) {
    if (isContent(index, field)) continue;
    fields[field] = row[`f_${field}`] ?? null;
  }
  if (index === 'documents') fields.tags = (fields.tags as string[] | null) ?? [];
  const snippets = index === 'documents' ? [] : textFields(index).map(({ field }) => fields[field]).filter((v): v is string => typeof v === 'string' && v.length > 0);
  return { id: String(row.id), score: Number(row.score), fields, snippets };
}
