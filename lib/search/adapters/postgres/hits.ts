/**
 * What a hit returns: the record's catalog fields as `f_<field>` columns (dates as
 * ISO strings, money as numbers), and for documents the chunks to highlight from.
 */
import type { Queryable } from '../../../db/index.ts';
import { INDEXES, type IndexName } from '../../indexes.ts';
import type { EngineHit } from '../../port.ts';
import type { RankTerm } from './clause.ts';
import { chunkScore } from './scoring.ts';
import { CHUNK_LIMIT, isoOf, Params } from './sql.ts';

const MAX_SNIPPETS = 3;

function fieldColumns(index: IndexName): string {
  return Object.entries(INDEXES[index].fields)
    .filter(([field]) => !(index === 'documents' && field === 'content'))
    .map(([field, spec]) => {
      const col = `d.${field}`;
      const value = spec.type === 'date' ? isoOf(col) : spec.type === 'money' ? `${col}::float8` : col;
      return `${value} as f_${field}`;
    })
    .join(', ');
}

export const documentFields = fieldColumns('documents');
export const recordFields = (index: IndexName) => fieldColumns(index);

/**
 * Each document hit's best matching chunks (by the query's chunk score), at most
 * three, in score order; a document that matched by its title or a keyword shows
 * its first chunk.
 */
export async function documentSnippets(
  tx: Queryable,
  hits: EngineHit[],
  ranks: RankTerm[],
): Promise<void> {
  if (hits.length === 0) return;
  const ids = hits.map((h) => h.id);
  const found = new Map<string, string[]>();
  const params = new Params();
  const chunk = chunkScore(ranks, params);
  if (chunk) {
    const { rows } = await tx.query<{ document_id: string; text: string }>(
      `select document_id, text from (
         select c.document_id, c.text, row_number() over (partition by c.document_id order by ${chunk.score} desc, c.idx) as n
         from chunks c where c.document_id = any(${params.add(ids)}::text[]) and c.idx < ${CHUNK_LIMIT} and c.search_vector @@ ${chunk.query}
       ) ranked where n <= ${MAX_SNIPPETS} order by document_id, n`,
      params.values,
    );
    for (const row of rows) found.set(row.document_id, [...(found.get(row.document_id) ?? []), row.text]);
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    const { rows } = await tx.query<{ document_id: string; text: string }>(
      'select distinct on (document_id) document_id, text from chunks where document_id = any($1::text[]) order by document_id, idx',
      [missing],
    );
    for (const row of rows) found.set(row.document_id, [row.text]);
  }
  for (const hit of hits) hit.snippets = found.get(hit.id) ?? [];
}
