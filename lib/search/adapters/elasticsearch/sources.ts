/**
 * Records as Elasticsearch documents, and back. Every document is built field by
 * field from the record's known properties (the mapping is strict, so a record
 * carrying more properties than the catalog never fails a write).
 */
import { INDEXES, SEARCH_LIMITS, textFields, type IndexName } from '../../indexes.ts';
import type { DocumentRecord, IndexRecord } from '../../port.ts';
import { segmentForIndex } from '../../segment.ts';
import { isChunkField, wordsField } from './mappings.ts';

type Source = Record<string, unknown>;

export function toSource(index: IndexName, record: IndexRecord): Source {
  if (index === 'documents') return documentSource(record as DocumentRecord);
  const source: Source = { id: record.id };
  const fields = record as unknown as Record<string, unknown>;
  for (const [field, spec] of Object.entries(INDEXES[index].fields)) {
    const value = fields[field] ?? null;
    source[field] = value;
    if (spec.type === 'text') source[wordsField(field)] = typeof value === 'string' ? segmentForIndex(value) : '';
  }
  return source;
}

function documentSource(record: DocumentRecord): Source {
  const chunks = [...record.chunks].sort((a, b) => a.idx - b.idx).slice(0, SEARCH_LIMITS.maxIndexedChunks);
  return {
    id: record.id,
    tenant: record.tenant,
    title: record.title,
    title_words: record.title ? segmentForIndex(record.title) : '',
    knowledge_base: record.knowledge_base,
    tags: record.tags,
    doc_type: record.doc_type,
    lang: record.lang,
    created_at: record.created_at,
    lead: chunks[0]?.text ?? null,
    chunks: chunks.map((chunk) => ({
      idx: chunk.idx,
      text: chunk.text,
      content_words: segmentForIndex(chunk.text),
      ...(chunk.embedding && chunk.embedding.length > 0 ? { embedding: chunk.embedding } : {}),
    })),
  };
}

/** The fields a hit returns: the catalog's (documents: their metadata, not the chunks), and the id. */
export function returnedFields(index: IndexName): string[] {
  return ['id', ...Object.keys(INDEXES[index].fields).filter((field) => !isChunkField(index, field))];
}

/** A hit's fields as the record had them (Elasticsearch gives _source back as sent). */
export function fieldsOf(index: IndexName, source: Source | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const field of returnedFields(index)) fields[field] = source?.[field] ?? null;
  if (index === 'documents') fields.tags = Array.isArray(fields.tags) ? fields.tags : fields.tags == null ? [] : [fields.tags];
  return fields;
}

/** ERP hits highlight from their text fields (names), in the catalog's order. */
export function recordSnippets(index: IndexName, source: Source | undefined): string[] {
  return textFields(index)
    .map(({ field }) => source?.[field])
    .filter((value): value is string => typeof value === 'string' && value.length > 0);
}
