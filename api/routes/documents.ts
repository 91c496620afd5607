import { Router, type Response } from 'express';
import { Readable } from 'node:stream';
import type { Database } from '../../lib/db/index.ts';
import { DocumentNotFoundError } from '../../lib/documents/errors.ts';
import type { DocumentReads } from '../services/document-reads.ts';
import type { IngestionService } from '../services/ingestion.ts';
import type { ReceivedUpload } from '../../lib/documents/intake.ts';
import { listDocuments, type DocumentRecord } from '../../lib/documents/repository.ts';
import { DEFAULT_KNOWLEDGE_BASE, requireKnowledgeBase } from '../../lib/knowledge-bases/repository.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { requireScope, tenantOf } from '../middleware/auth.ts';
import { parseMultipart } from '../multipart.ts';
import { HttpProblem } from '../problem.ts';
import { cursorPayload, documentId, jsonUpload, listQuery, uploadFields } from '../schemas.ts';
import { parseInput } from '../validate.ts';

export interface DocumentsRouterDeps {
  db: Database;
  ingestion: IngestionService;
  documentReads: DocumentReads;
  /** Largest `application/json` upload body, base64 and all (MAX_JSON_UPLOAD_SIZE). */
  maxJsonUploadBytes: number;
}

/** What a client sees of a document. */
export function toDocumentView(d: DocumentRecord) {
  return {
    id: d.id,
    status: d.status,
    stage: d.stage,
    progress: Math.round(d.progress * 1000) / 1000,
    chunks: d.chunkCount,
    error: d.errorCode ? { code: d.errorCode, message: d.errorMessage ?? '' } : null,
    title: d.title,
    source: d.source,
    tags: d.tags,
    filename: d.filename,
    knowledgeBase: d.knowledgeBase,
    lang: d.lang,
    metadata: d.metadata,
    type: d.docType,
    sizeBytes: d.sizeBytes,
    workflowId: d.workflowId,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

/** Repeated `tags` fields and comma-separated lists both work. */
function tagsOf(values: string[] | undefined): string[] | undefined {
  return values?.flatMap((v) => v.split(',')).map((t) => t.trim()).filter(Boolean);
}

/**
 * The client's file name is only a label (and a Markdown hint), never a path:
 * the last path segment, no control characters, at most 255 characters.
 */
function cleanFilename(name: string | undefined): string | undefined {
  const label = name?.split(/[/\\]/).at(-1)?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return label && label !== '.' && label !== '..' ? label.slice(0, 255) : undefined;
}

export type UploadFields = ReturnType<typeof uploadFields.parse> & { filename?: string };

/**
 * Files a received upload (multipart or JSON alike) into its knowledge base and starts its
 * ingestion. The insert itself refuses an unknown or deleting knowledge base, atomically.
 * Fields that fail to read discard the upload.
 */
export async function submitUpload(ingestion: IngestionService, tenant: string, file: ReceivedUpload, readFields: () => UploadFields) {
  let fields: UploadFields;
  try {
    fields = readFields();
  } catch (error) {
    await ingestion.discard(file);
    throw error;
  }
  return ingestion.submit(tenant, file, {
    ...fields,
    filename: cleanFilename(fields.filename),
    knowledgeBase: fields.knowledgeBase ?? DEFAULT_KNOWLEDGE_BASE,
  });
}

/** What an accepted upload answers: 202 for a new document, 200 for the same bytes again. */
export const toAcceptedView = (document: DocumentRecord, created: boolean) => ({
  id: document.id,
  status: document.status,
  workflowId: document.workflowId,
  duplicate: !created,
});

export function createDocumentsRouter({ db, ingestion, documentReads, maxJsonUploadBytes }: DocumentsRouterDeps): Router {
  const router = Router();
  const readJson = createJsonBodyReader(maxJsonUploadBytes, {
    code: 'E_DOCUMENT_TOO_LARGE',
    detail: `the JSON body exceeds ${maxJsonUploadBytes} bytes (MAX_JSON_UPLOAD_SIZE); send larger documents as multipart/form-data`,
  });

  async function accept(res: Response, file: ReceivedUpload, readFields: () => UploadFields): Promise<void> {
    const { document, created } = await submitUpload(ingestion, tenantOf(res), file, readFields);
    res
      .status(created ? 202 : 200)
      .location(`/v1/documents/${document.id}`)
      .json(toAcceptedView(document, created));
  }

  router.post('/', requireScope('documents:write'), async (req, res) => {
    if (req.is('multipart/form-data')) {
      const upload = await parseMultipart(req, { fields: 40, fieldSize: 20 * 1024 }, ingestion);
      return accept(res, upload.file, () => {
        for (const [name, values] of upload.fields) {
          if (name !== 'tags' && values.length > 1) throw HttpProblem.invalid([{ field: name, detail: 'give this field once' }]);
        }
        const raw = Object.fromEntries([...upload.fields].map(([name, values]) => [name, name === 'tags' ? tagsOf(values) : values.at(-1)]));
        return { ...parseInput(uploadFields, raw), filename: upload.filename };
      });
    }
    if (req.is('application/json')) {
      // Validated whole before a byte is stored: the body is small by its own limit.
      const { contentBase64, ...fields } = parseInput(jsonUpload, await readJson(req, res));
      const file = await ingestion.receive(Readable.from([Buffer.from(contentBase64, 'base64')]));
      return accept(res, file, () => fields);
    }
    throw new HttpProblem(
      415,
      'Unsupported media type',
      'send the document as multipart/form-data with a part named "file", or as application/json with "contentBase64"',
      { code: 'E_UNSUPPORTED_MEDIA_TYPE' },
    );
  });

  router.get('/', requireScope('documents:read'), async (req, res) => {
    const query = parseInput(listQuery, req.query);
    const tenant = tenantOf(res);
    if (query.knowledgeBase) await requireKnowledgeBase(db, tenant, query.knowledgeBase);
    const page = await listDocuments(db, {
      status: query.status,
      tag: query.tag,
      knowledgeBase: query.knowledgeBase,
      tenant,
      limit: query.limit,
      cursor: query.cursor ? decodeCursor(cursorPayload, query.cursor) : undefined,
    });
    const last = page.items.at(-1);
    // Signed by the API (api/cursor.ts): the repository's page position, never trusted back unsigned.
    const nextCursor = page.nextCursor && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null;
    res.json({ items: page.items.map(toDocumentView), nextCursor });
  });

  router.get('/:id', requireScope('documents:read'), async (req, res) => {
    const id = parseInput(documentId, req.params.id, 'id');
    const document = await documentReads.get(tenantOf(res), id);
    if (!document) throw new DocumentNotFoundError(id);
    res.json(toDocumentView(document));
  });

  /** Removal is a workflow (it survives a crash part-way); the document shows `deleting` until it is gone. */
  router.delete('/:id', requireScope('documents:write'), async (req, res) => {
    const id = parseInput(documentId, req.params.id, 'id');
    const { workflowId } = await ingestion.remove(tenantOf(res), id);
    res.status(202).json({ id, workflowId, status: 'deleting' });
  });

  router.post('/:id/reingest', requireScope('documents:write'), async (req, res) => {
    const document = await ingestion.reingest(tenantOf(res), parseInput(documentId, req.params.id, 'id'));
    res.status(202).json({ id: document.id, status: document.status, workflowId: document.workflowId, duplicate: false });
  });

  return router;
}
