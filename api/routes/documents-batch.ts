/**
 * Batch operations on documents: many JSON uploads in one request, and many
 * documents read in one request. Each item gets its own result (an HTTP status
 * and a document, or a problem), so one bad item never fails the others.
 */
import { Readable } from 'node:stream';
import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../lib/db/index.ts';
import { getTenantDocuments } from '../../lib/documents/repository.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { createAllowedMethods } from '../middleware/allowed-methods.ts';
import { requireScope, tenantOf } from '../middleware/auth.ts';
import { toProblem } from '../problem.ts';
import { documentId, jsonUpload } from '../schemas.ts';
import type { IngestionService } from '../services/ingestion.ts';
import { parseInput } from '../validate.ts';
import { submitUpload, toAcceptedView, toDocumentView } from './documents.ts';

/** Most uploads in one batch; each is still bounded by the body limit (MAX_JSON_UPLOAD_SIZE) in total. */
export const MAX_BATCH_UPLOADS = 50;
/** Most ids in one lookup. */
export const MAX_LOOKUP_IDS = 100;

export const batchUpload = z.strictObject({ documents: z.array(z.unknown()).min(1).max(MAX_BATCH_UPLOADS) });
export const lookupRequest = z.strictObject({ ids: z.array(documentId).min(1).max(MAX_LOOKUP_IDS) });

export function createDocumentBatchRouter({ db, ingestion, maxJsonUploadBytes }: { db: Database; ingestion: IngestionService; maxJsonUploadBytes: number }) {
  const router = Router();
  const readBatch = createJsonBodyReader(maxJsonUploadBytes, {
    code: 'E_DOCUMENT_TOO_LARGE',
    detail: `the batch exceeds ${maxJsonUploadBytes} bytes (MAX_JSON_UPLOAD_SIZE) in all; send fewer documents per batch`,
  });
  const readIds = createJsonBodyReader(64 * 1024, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 64 KiB' });
  const json = async (req: Parameters<typeof readIds>[0], res: Parameters<typeof readIds>[1], read: typeof readIds) =>
    req.is('application/json') ? ((await read(req, res)) ?? {}) : {};

  /** Uploads in order, one at a time (each is hashed, stored and started like a single upload). */
  router.post('/batch', requireScope('documents:write'), async (req, res) => {
    const { documents } = parseInput(batchUpload, await json(req, res, readBatch));
    const tenant = tenantOf(res);
    const results = [];
    for (const [index, item] of documents.entries()) {
      try {
        const { contentBase64, ...fields } = parseInput(jsonUpload, item);
        const file = await ingestion.receive(Readable.from([Buffer.from(contentBase64, 'base64')]));
        const { document, created } = await submitUpload(ingestion, tenant, file, () => fields);
        results.push({ index, status: created ? 202 : 200, document: toAcceptedView(document, created) });
      } catch (error) {
        const problem = toProblem(error);
        if (problem.status >= 500) throw error; // the engine or the database failed: the whole request says so
        const errors = problem.extra.errors?.map((e) => ({ ...e, field: `documents.${index}.${e.field}` }));
        results.push({ index, status: problem.status, problem: { title: problem.title, detail: problem.detail, ...problem.extra, errors } });
      }
    }
    res.json({ results });
  });

  /** Documents by id, in the order asked; another tenant's id reads as not found. */
  router.post('/lookup', requireScope('documents:read'), async (req, res) => {
    const { ids } = parseInput(lookupRequest, await json(req, res, readIds));
    const found = await getTenantDocuments(db, tenantOf(res), ids);
    res.json({
      items: ids.map((id) => {
        const document = found.get(id);
        return document ? { id, found: true, document: toDocumentView(document) } : { id, found: false, document: null };
      }),
    });
  });

  // Any other method on these two is a 405 here: left to fall through, GET /:id would read "batch" as an id.
  router.use(createAllowedMethods({ '/batch': { post: {} }, '/lookup': { post: {} } }));

  return router;
}
