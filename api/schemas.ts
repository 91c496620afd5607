import { z } from 'zod';
import { documentStatuses } from '../lib/documents/repository.ts';

/** The API's inputs and outputs; the OpenAPI document is generated from these. */

export const documentId = z.string().regex(/^[0-9a-f]{64}$/, 'expected a document id (64 hex characters)');

const tag = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._:/-]*$/u, 'tags are letters, digits, space and . _ : / -');

export const uploadFields = z.strictObject({
  title: z.string().trim().min(1).max(500).optional(),
  source: z.string().trim().min(1).max(2000).optional(),
  /** Comma-separated, or repeated `tags` fields. */
  tags: z.array(tag).max(32, 'at most 32 tags').optional(),
});

export const listQuery = z.strictObject({
  status: z.enum(documentStatuses).optional(),
  tag: tag.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});

export const cursorPayload = z.object({ createdAt: z.iso.datetime(), id: documentId });

export const semanticQuery = z.strictObject({
  q: z.string().trim().min(1, 'q must not be empty').max(1000),
  k: z.coerce.number().int().min(1).max(50).default(10),
});

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
    z.object({ documentId, chunkId: z.string(), score: z.number(), text: z.string(), title: z.string().nullable() }),
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
