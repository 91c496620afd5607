/**
 * What each index looks like in Elasticsearch. Every catalog field keeps its name
 * (keyword, date, integer as long, money as double); every text
 * field has a `<field>_words` twin holding the jieba-segmented words, analysed by
 * the built-in `whitespace` analyzer, so Chinese needs no server plugin and both
 * engines match the very same words. Documents are one Elasticsearch document
 * each, their chunks nested (text for snippets, words, vector), so a hit is a
 * document and facets count documents.
 */
import type { estypes } from '@elastic/elasticsearch';
import { INDEXES, SEARCH_LIMITS, type FieldType, type IndexName } from '../../indexes.ts';

/** Bumped when a mapping changes; recorded in the template's `_meta`. A change needs a rebuild. */
export const MAPPING_VERSION = 1;

/** The alias every read and write goes through: `${prefix}-documents`. */
export const aliasName = (prefix: string, index: IndexName) => `${prefix}-${index}`;

/** A physical index behind the alias; the suffix orders them by creation time. */
export function physicalName(prefix: string, index: IndexName, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:TZ.]/g, '');
  const salt = Math.random().toString(36).slice(2, 6);
  return `${aliasName(prefix, index)}-${stamp}-${salt}`;
}

/** The field holding the segmented words of a text field. */
export const wordsField = (field: string) => `${field}_words`;

/** Documents' `content` lives in the nested chunks; every other text field is top-level. */
export const CHUNKS = 'chunks';
export const isChunkField = (index: IndexName, field: string) => index === 'documents' && field === 'content';
export const CHUNK_WORDS = `${CHUNKS}.content_words`;
export const CHUNK_VECTOR = `${CHUNKS}.embedding`;

const WORDS: estypes.MappingProperty = { type: 'text', analyzer: 'whitespace' };
/** Kept for returning and snippets, never searched. */
const STORED_TEXT: estypes.MappingProperty = { type: 'text', index: false };

function propertyFor(type: FieldType): estypes.MappingProperty {
  switch (type) {
    case 'text':
      return STORED_TEXT;
    case 'keyword':
    case 'keywords':
      return { type: 'keyword' };
    case 'date':
      return { type: 'date', format: 'strict_date_optional_time||epoch_millis' };
    case 'integer':
      return { type: 'long' };
    case 'money':
      // scaled_float lives in the mapper-extras module, which the core-only distribution lacks;
      // a double holds every amount to the cent, and stats are rounded back to cents.
      return { type: 'double' };
  }
}

export function mappingsFor(index: IndexName, dimension: number): estypes.MappingTypeMapping {
  const properties: Record<string, estypes.MappingProperty> = { id: { type: 'keyword' } };
  for (const [field, spec] of Object.entries(INDEXES[index].fields)) {
    if (isChunkField(index, field)) continue;
    properties[field] = propertyFor(spec.type);
    if (spec.type === 'text') properties[wordsField(field)] = WORDS;
  }
  if (index === 'documents') {
    properties.tenant = { type: 'keyword' };
    // The first chunk: the snippet of a document matched by title or filters only.
    properties.lead = STORED_TEXT;
    properties[CHUNKS] = {
      type: 'nested',
      properties: {
        idx: { type: 'integer' },
        text: STORED_TEXT,
        content_words: WORDS,
        // Plain float HNSW (not the quantized default) so scores match pgvector's cosine.
        embedding: { type: 'dense_vector', dims: dimension, similarity: 'cosine', index: true, index_options: { type: 'hnsw' } },
      },
    };
  }
  return {
    dynamic: 'strict',
    properties,
    // Vectors are searched, never read back: keeping them out of _source saves most of the disk.
    ...(index === 'documents' ? { _source: { excludes: [CHUNK_VECTOR] } } : {}),
  };
}

export const REFRESH_INTERVAL = '1s';

/**
 * One shard: the indexes are small enough, and terms facets and BM25 statistics
 * are exact only on one. No replicas on a single-node test cluster (yellow otherwise).
 */
export function settingsFor(): estypes.IndicesIndexSettings {
  return {
    number_of_shards: 1,
    number_of_replicas: 0,
    // Set, not defaulted: a default interval lets an idle shard skip refreshes
    // ("search idle"), and `refresh: wait_for` writes would wait for the next search.
    refresh_interval: REFRESH_INTERVAL,
    max_inner_result_window: SEARCH_LIMITS.maxIndexedChunks,
  };
}

export function templateFor(prefix: string, index: IndexName, dimension: number): estypes.IndicesPutIndexTemplateRequest {
  return {
    name: aliasName(prefix, index),
    index_patterns: [`${aliasName(prefix, index)}-*`],
    // Above the built-in templates (100), so `logs-*`-like names never steal ours.
    priority: 200,
    template: { settings: settingsFor(), mappings: mappingsFor(index, dimension) },
    _meta: { owner: 'aistack', mapping_version: MAPPING_VERSION, dimension },
  };
}
