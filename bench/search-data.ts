/**
 * bench/search's data: 100k generated knowledge-base documents and the ERP tables.
 *
 * Documents are assembled deterministically (a seeded generator) from the judged
 * corpus's sentences around one topic document each, 3-10 sentences, with the
 * topic's knowledge base and tags and a date over 2023-2026, so Chinese and English
 * mix as in the corpus and every query word has realistic frequencies. They are
 * indexed lexically only: no vectors (embedding 100k documents with the real model
 * would take hours on this machine and measure the model, not search).
 */
import { chunkText } from '../lib/documents/chunk.ts';
import type { Database } from '../lib/db/index.ts';
import { createRandom } from '../lib/erp/random.ts';
import type { DocumentRecord } from '../lib/search/port.ts';
import { segmentForIndex } from '../lib/search/segment.ts';
import { searchCorpus } from '../test/fixtures/search/corpus.ts';

const sentencesOf = (text: string) =>
  text
    .split(/\n+|(?<=[。！？.!?])\s*/u)
    .map((s) => s.replace(/^#+\s*/, '').trim())
    .filter((s) => s.length > 6);
const topics = searchCorpus.map((d) => ({ document: d, sentences: sentencesOf(d.text) }));
const allSentences = topics.flatMap((t) => t.sentences);
const START = Date.UTC(2023, 0, 1);
const SPAN = Date.UTC(2026, 10, 1) - START;

/** Document `n` of the bench corpus (n from 0). */
export function benchDocument(n: number): DocumentRecord {
  const random = createRandom(`bench-document-${n}`);
  const next = () => random.next();
  const topic = random.pick(topics);
  const count = random.int(3, 10);
  const sentences = Array.from({ length: count }, () => random.pick(random.chance(0.7) ? topic.sentences : allSentences));
  const title = `${topic.document.title} (${n % 97 === 0 ? '草案' : `v${1 + (n % 9)}`})`;
  const text = `# ${title}\n\n${sentences.join(topic.document.lang === 'zh' ? '' : ' ')}\n\n文档编号 Doc-${n}`;
  const chunks = chunkText(text, { maxTokens: 400 });
  return {
    id: `bench-${String(n).padStart(7, '0')}`,
    tenant: 'default',
    title,
    knowledge_base: topic.document.knowledgeBase,
    tags: topic.document.tags,
    doc_type: 'md',
    lang: topic.document.lang,
    created_at: new Date(START + Math.floor(next() * SPAN)).toISOString(),
    chunks: chunks.map((c) => ({ idx: c.index, text: c.text, embedding: null })),
  };
}

export function* benchDocumentBatches(total: number, size: number): Generator<DocumentRecord[]> {
  for (let start = 0; start < total; start += size) {
    yield Array.from({ length: Math.min(size, total - start) }, (_, i) => benchDocument(start + i));
  }
}

/**
 * Writes documents and their chunks as ingestion leaves them (ready, words
 * segmented in Node into `search_vector`), a batch per statement pair.
 */
export async function storeBenchDocuments(db: Database, records: DocumentRecord[]): Promise<void> {
  const chunks = records.flatMap((r) => r.chunks.map((c) => ({ id: r.id, ...c, words: segmentForIndex(c.text) })));
  await db.transaction(async (tx) => {
    await tx.query(
      `insert into knowledge_bases (tenant, id, name)
       select distinct 'default', kb, kb from unnest($1::text[]) as kb on conflict do nothing`,
      [[...new Set(records.map((r) => r.knowledge_base))]],
    );
    await tx.query(
      `insert into documents (id, tenant, content_sha256, title, tags, doc_type, size_bytes, blob_key, status, stage, progress,
                              chunk_count, workflow_id, created_at, knowledge_base, lang)
       select d.id, 'default', d.id, d.title, array(select jsonb_array_elements_text(d.tags)), 'md', d.size, d.id, 'ready', 'done', 1,
              d.chunks, d.id, d.created_at, d.kb, d.lang
       from unnest($1::text[], $2::text[], $3::jsonb[], $4::int[], $5::int[], $6::timestamptz[], $7::text[], $8::text[])
         as d(id, title, tags, size, chunks, created_at, kb, lang)`,
      [
        records.map((r) => r.id),
        records.map((r) => r.title),
        records.map((r) => JSON.stringify(r.tags)),
        records.map((r) => r.chunks.reduce((n, c) => n + Buffer.byteLength(c.text), 0)),
        records.map((r) => r.chunks.length),
        records.map((r) => r.created_at),
        records.map((r) => r.knowledge_base),
        records.map((r) => r.lang),
      ],
    );
    await tx.query(
      `insert into chunks (document_id, idx, text, token_count, start_offset, end_offset, search_vector)
       select c.id, c.idx, c.text, length(c.text) / 2, 0, length(c.text), to_tsvector('simple', c.words)
       from unnest($1::text[], $2::int[], $3::text[], $4::text[]) as c(id, idx, text, words)`,
      [chunks.map((c) => c.id), chunks.map((c) => c.idx), chunks.map((c) => c.text), chunks.map((c) => c.words)],
    );
  });
}

/** The searchable text of a document for the vocabulary (its title and chunks), as sync records it. */
export const documentText = (r: DocumentRecord) => [r.title ?? '', ...r.chunks.map((c) => c.text)].join('\n');
