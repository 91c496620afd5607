import { z } from 'zod';
import { CURSOR_PATTERN, MAX_CURSOR_LENGTH } from './cursor.ts';
import { LANGUAGE_PATTERN, MAX_TAG_LENGTH, MAX_TAGS, MetadataProblem, TAG_PATTERN, toMetadata } from '../lib/documents/metadata.ts';
import { documentStatuses } from '../lib/documents/repository.ts';
import { KNOWLEDGE_BASE_ID_PATTERN, knowledgeBaseStatuses } from '../lib/knowledge-bases/repository.ts';

/** The API's inputs and outputs; the OpenAPI document is generated from these. */

export const documentId = z.string().regex(/^[0-9a-f]{64}$/, 'expected a document id (64 hex characters)');

/**
 * Free text a person typed: not blank, and no NUL (PostgreSQL text cannot hold
 * it). Checked on the raw value, then trimmed, so the OpenAPI document's
 * `maxLength` and `pattern` say exactly what is accepted. The blank set is
 * JavaScript's `trim()` set, spelled out so other regex engines agree.
 */
const WHITESPACE = '\\t\\n\\u000b\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
export const TEXT_PATTERN = new RegExp(`^[^\\u0000]*[^\\u0000${WHITESPACE}][^\\u0000]*$`);
const NO_NUL_PATTERN = /^[^\u0000]*$/;
const text = (max: number) => z.string().max(max).regex(TEXT_PATTERN, 'must not be blank nor contain NUL characters').trim();
/** Text that may be empty (a description), still without NUL. */
const optionalText = (max: number) => z.string().max(max).regex(NO_NUL_PATTERN, 'must not contain NUL characters').trim();

const tag = z.string().max(MAX_TAG_LENGTH).regex(TAG_PATTERN, 'tags are letters, digits, space and . _ : / -').trim();
const tags = z.array(tag).max(MAX_TAGS, `at most ${MAX_TAGS} tags`);

export const knowledgeBaseId = z
  .string()
  .regex(KNOWLEDGE_BASE_ID_PATTERN, 'a knowledge base id is 1 to 63 lower-case letters, digits and -, starting with a letter or digit');

const language = z.string().max(35).regex(LANGUAGE_PATTERN, 'expected a language tag such as zh, en or zh-CN');

const METADATA_KEY = { minLength: 1, maxLength: 128, pattern: '^[^\\u0000]*$' };
const METADATA_SCALARS = [{ type: 'string', pattern: '^[^\\u0000]*$' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }];
/**
 * A metadata value as the OpenAPI document shows it: JSON without NUL, one level
 * of nesting, at most 10 × (1 + 9) = 100 keys. The API takes more (5 levels, 100
 * keys over the whole tree); a JSON Schema cannot count keys over a tree.
 */
const METADATA_VALUE = {
  anyOf: [
    ...METADATA_SCALARS,
    { type: 'array', items: { anyOf: METADATA_SCALARS } },
    { type: 'object', maxProperties: 9, propertyNames: METADATA_KEY, additionalProperties: { anyOf: METADATA_SCALARS } },
  ],
};

/** Free metadata: a JSON object within the limits of lib/documents/metadata.ts. */
const metadataObject = z
  .unknown()
  // What the OpenAPI document can say of the limits; depth and size are checked by toMetadata.
  .meta({
    type: 'object',
    maxProperties: 10,
    propertyNames: METADATA_KEY,
    additionalProperties: METADATA_VALUE,
    description: 'a JSON object: at most 100 keys (of 1 to 128 characters), 5 levels deep, 16 KiB as JSON',
  })
  .transform((value, ctx) => {
  try {
    const metadata = toMetadata(value);
    // PostgreSQL's jsonb cannot hold U+0000 anywhere, key or value.
    if (JSON.stringify(metadata).includes('\\u0000')) throw new MetadataProblem('metadata must not contain NUL characters');
    return metadata;
  } catch (error) {
    if (!(error instanceof MetadataProblem)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
    return z.NEVER;
  }
});

/** A multipart field carries metadata as JSON text. */
const metadataJson = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'metadata must be a JSON object' });
    return z.NEVER;
  }
}).pipe(metadataObject);

/** Fields a multipart upload may carry beside its `file`. */
export const uploadFields = z.strictObject({
  title: text(500).optional(),
  source: text(2000).optional(),
  /** Comma-separated, or repeated `tags` fields. */
  tags: tags.optional(),
  knowledgeBase: knowledgeBaseId.optional(),
  lang: language.optional(),
  metadata: metadataJson.optional(),
});

/**
 * Standard base64 (RFC 4648 §4), optionally with MIME line breaks. Checked
 * before decoding because Node's decoder silently skips what it cannot read.
 */
const base64 = z
  .string()
  // minLength is for the OpenAPI document only: an empty upload stays a 422 E_EMPTY_DOCUMENT, like any other empty file.
  .meta({ minLength: 4, contentEncoding: 'base64', pattern: '^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$' })
  .transform((s) => s.replace(/\r?\n/g, ''))
  .refine((s) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s), 'expected standard base64 (A-Z a-z 0-9 + /, padded with =)');

/** `POST /v1/documents` as `application/json`, for API clients with small documents. */
export const jsonUpload = z.strictObject({
  /** A label (and a Markdown hint for sniffing), never a path. */
  filename: z.string().max(1024).regex(NO_NUL_PATTERN, 'must not contain NUL characters').optional(),
  title: uploadFields.shape.title,
  source: uploadFields.shape.source,
  /** A list, or one comma-separated string. */
  tags: z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((t) => t.trim()).filter(Boolean) : v), tags).optional(),
  knowledgeBase: knowledgeBaseId.optional(),
  lang: language.optional(),
  metadata: metadataObject.optional(),
  contentBase64: base64,
});

export const listQuery = z.strictObject({
  status: z.enum(documentStatuses).optional(),
  tag: tag.optional(),
  knowledgeBase: knowledgeBaseId.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(MAX_CURSOR_LENGTH).regex(new RegExp(CURSOR_PATTERN), 'not a cursor this API returned; use nextCursor as given').optional(),
});

export const cursorPayload = z.object({ createdAt: z.iso.datetime(), id: documentId });

export const semanticQuery = z.strictObject({
  q: text(1000),
  k: z.coerce.number().int().min(1).max(50).default(10),
  knowledgeBase: knowledgeBaseId.optional(),
});

export const newKnowledgeBase = z.strictObject({
  id: knowledgeBaseId.optional(),
  name: text(200),
  description: optionalText(2000).nullable().optional(),
  defaultLanguage: language.nullable().optional(),
});

export const knowledgeBaseChanges = z
  .strictObject({
    name: newKnowledgeBase.shape.name.optional(),
    description: newKnowledgeBase.shape.description,
    defaultLanguage: newKnowledgeBase.shape.defaultLanguage,
  })
  .refine((c) => Object.keys(c).length > 0, 'give at least one of name, description, defaultLanguage');

export const knowledgeBaseListQuery = z.strictObject({
  limit: listQuery.shape.limit,
  cursor: listQuery.shape.cursor,
});

export const knowledgeBaseView = z.object({
  id: knowledgeBaseId,
  name: z.string(),
  description: z.string().nullable(),
  defaultLanguage: z.string().nullable(),
  status: z.enum(knowledgeBaseStatuses),
  documentCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const knowledgeBasePageView = z.object({ items: z.array(knowledgeBaseView), nextCursor: z.string().nullable() });

export const knowledgeBaseDeletionView = z.object({ id: knowledgeBaseId, workflowId: z.string(), status: z.literal('deleting') });

export const documentView = z.object({
  id: documentId,
  status: z.enum(documentStatuses),
  stage: z.string(),
  progress: z.number().min(0).max(1),
  chunks: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  title: z.string().nullable(),
  source: z.string().nullable(),
  tags: z.array(z.string()),
  filename: z.string().nullable(),
  knowledgeBase: z.string(),
  lang: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  type: z.string(),
  sizeBytes: z.number().int(),
  workflowId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const acceptedView = z.object({ id: documentId, status: z.enum(documentStatuses), workflowId: z.string(), duplicate: z.boolean() });

export const documentPageView = z.object({ items: z.array(documentView), nextCursor: z.string().nullable() });

export const semanticResultsView = z.object({
  results: z.array(
    z.object({
      documentId,
      chunkId: z.string(),
      score: z.number(),
      text: z.string(),
      title: z.string().nullable(),
      knowledgeBase: z.string(),
    }),
  ),
});

export const problemView = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), detail: z.string() })).optional(),
  /** E_QUERY_SYNTAX: the 0-based character offset in the query where it stops making sense. */
  position: z.number().int().optional(),
});
