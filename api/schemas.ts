import { z } from 'zod';
import { LANGUAGE_PATTERN, MAX_TAG_LENGTH, MAX_TAGS, MetadataProblem, TAG_PATTERN, toMetadata } from '../lib/documents/metadata.ts';
import { documentStatuses } from '../lib/documents/repository.ts';
import { KNOWLEDGE_BASE_ID_PATTERN, knowledgeBaseStatuses } from '../lib/knowledge-bases/repository.ts';

/** The API's inputs and outputs; the OpenAPI document is generated from these. */

export const documentId = z.string().regex(/^[0-9a-f]{64}$/, 'expected a document id (64 hex characters)');

const tag = z.string().trim().min(1).max(MAX_TAG_LENGTH).regex(TAG_PATTERN, 'tags are letters, digits, space and . _ : / -');
const tags = z.array(tag).max(MAX_TAGS, `at most ${MAX_TAGS} tags`);

export const knowledgeBaseId = z
  .string()
  .regex(KNOWLEDGE_BASE_ID_PATTERN, 'a knowledge base id is 1 to 63 lower-case letters, digits and -, starting with a letter or digit');

const language = z.string().trim().max(35).regex(LANGUAGE_PATTERN, 'expected a language tag such as zh, en or zh-CN');

/** Free metadata: a JSON object within the limits of lib/documents/metadata.ts. */
const metadataObject = z
  .unknown()
  .describe('a JSON object: at most 100 keys, 5 levels deep, 16 KiB as JSON')
  .transform((value, ctx) => {
  try {
    return toMetadata(value);
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
  title: z.string().trim().min(1).max(500).optional(),
  source: z.string().trim().min(1).max(2000).optional(),
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
  .transform((s) => s.replace(/\r?\n/g, ''))
  .refine((s) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s), 'expected standard base64 (A-Z a-z 0-9 + /, padded with =)');

/** `POST /v1/documents` as `application/json`, for API clients with small documents. */
export const jsonUpload = z.strictObject({
  /** A label (and a Markdown hint for sniffing), never a path. */
  filename: z.string().max(1024).optional(),
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
  cursor: z.string().max(512).optional(),
});

export const cursorPayload = z.object({ createdAt: z.iso.datetime(), id: documentId });

export const semanticQuery = z.strictObject({
  q: z.string().trim().min(1, 'q must not be empty').max(1000),
  k: z.coerce.number().int().min(1).max(50).default(10),
  knowledgeBase: knowledgeBaseId.optional(),
});

export const newKnowledgeBase = z.strictObject({
  id: knowledgeBaseId.optional(),
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).nullable().optional(),
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
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
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
});
