/**
 * Shapes of the knowledge-base sources and sync API (zod; the OpenAPI document is
 * generated from them). Whether a path exists inside KB_SOURCE_ROOTS, or a ref is
 * safe to hand to git, is checked by lib/kb-sync, which answers 400 naming the field too.
 */
import { z } from 'zod';
import { SOURCE_ID_PATTERN } from '../lib/kb-sync/sources.ts';

const noNul = /^[^\u0000]*$/;

export const sourceId = z.string().regex(new RegExp(SOURCE_ID_PATTERN), 'a source id: src_ and 24 lower-case hex characters');

/** A directory tree under KB_SOURCE_ROOTS: absolute, or relative to the first root. */
export const directorySourceSchema = z.strictObject({
  type: z.literal('directory'),
  path: z.string().min(1).max(4096).regex(noNul, 'must not contain NUL characters'),
});

/** A Git repository: an https:// URL, or a local (bare) repository under KB_SOURCE_ROOTS; `ref` a branch, tag or commit. */
export const gitSourceSchema = z.strictObject({
  type: z.literal('git'),
  url: z.string().min(1).max(2048).regex(noNul, 'must not contain NUL characters'),
  ref: z
    .string()
    .regex(/^[A-Za-z0-9._/-]{1,200}$/, 'a branch, tag or commit: letters, digits and . _ / -')
    .refine((ref) => !ref.startsWith('-') && !ref.includes('..'), 'must not start with - nor contain ..')
    .optional(),
});

export const newSourceSchema = z.discriminatedUnion('type', [directorySourceSchema, gitSourceSchema]);

const failure = z.object({ code: z.string(), message: z.string() }).nullable();

export const sourceView = z.object({
  id: z.string(),
  knowledgeBase: z.string(),
  type: z.enum(['directory', 'git']),
  path: z.string().optional(),
  url: z.string().optional(),
  ref: z.string().optional(),
  fileCount: z.number().int().describe('files in the checkpoint: what the last sync saw'),
  lastCommit: z.string().nullable().describe('Git: the commit the checkpoint describes'),
  lastSyncedAt: z.string().nullable(),
  lastError: failure.describe('why the last sync could not read this source'),
  createdAt: z.string(),
});

const countsShape = {
  scanned: z.number().int(),
  added: z.number().int(),
  changed: z.number().int(),
  renamed: z.number().int(),
  removed: z.number().int(),
  unchanged: z.number().int(),
  failed: z.number().int(),
};

export const syncView = z.object({
  id: z.string().nullable().describe('null while the knowledge base has never been synced'),
  knowledgeBase: z.string(),
  workflowId: z.string(),
  status: z.enum(['never', 'queued', 'running', 'succeeded', 'failed']),
  counts: z.object(countsShape).describe('as of the last batch written to the checkpoint'),
  progress: z
    .object({ ...countsShape, phase: z.string(), sourceId: z.string().nullable(), failedSources: z.number().int(), done: z.boolean() })
    .nullable()
    .describe('the running workflow’s own answer (its `progress` query), when it gives one within 3 s'),
  error: failure,
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const syncAccepted = z.object({ id: z.string(), workflowId: z.string(), status: z.enum(['queued', 'running']) });
