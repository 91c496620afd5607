import { Router } from 'express';
import type { Database } from '../../lib/db/index.ts';
import type { IngestionService } from '../../lib/documents/ingestion.ts';
import { DocumentNotFoundError } from '../../lib/documents/ingestion.ts';
import { getDocument, listDocuments, type DocumentRecord } from '../../lib/documents/repository.ts';
import { parseMultipart } from '../multipart.ts';
import { HttpProblem } from '../problem.ts';
import { cursorPayload, documentId, listQuery, uploadFields } from '../schemas.ts';
import { parseInput } from '../validate.ts';

export interface DocumentsRouterDeps {
  db: Database;
  ingestion: IngestionService;
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

/** The client's file name is only a label (and a Markdown hint): no control characters, at most 255 characters. */
function cleanFilename(name: string | undefined): string | undefined {
  return name?.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255) || undefined;
}

function decodeCursor(cursor: string) {
  try {
    const decoded = cursorPayload.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (decoded.success) return decoded.data;
  } catch {
    // not base64url JSON: answered below like any other foreign cursor
  }
  throw HttpProblem.invalid([{ field: 'cursor', detail: 'not a cursor this API returned' }]);
}

export function createDocumentsRouter({ db, ingestion }: DocumentsRouterDeps): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    if (!req.is('multipart/form-data')) {
      throw new HttpProblem(415, 'Unsupported media type', 'send the document as multipart/form-data with a part named "file"', {
        code: 'E_NOT_MULTIPART',
      });
    }
    const upload = await parseMultipart(req, { fields: 8, fieldSize: 4096 }, ingestion);
    let metadata;
    try {
      const fields = Object.fromEntries([...upload.fields].map(([name, values]) => [name, name === 'tags' ? tagsOf(values) : values.at(-1)]));
      metadata = parseInput(uploadFields, fields);
    } catch (error) {
      await ingestion.discard(upload.file);
      throw error;
    }
    const { document, created } = await ingestion.submit(upload.file, { ...metadata, filename: cleanFilename(upload.filename) });
    res
      .status(created ? 202 : 200)
      .location(`/v1/documents/${document.id}`)
      .json({ id: document.id, status: document.status, workflowId: document.workflowId, duplicate: !created });
  });

  router.get('/', async (req, res) => {
    const query = parseInput(listQuery, req.query);
    const page = await listDocuments(db, {
      status: query.status,
      tag: query.tag,
      limit: query.limit,
      cursor: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    res.json({ items: page.items.map(toDocumentView), nextCursor: page.nextCursor });
  });

  router.get('/:id', async (req, res) => {
    const id = parseInput(documentId, req.params.id, 'id');
    const document = await getDocument(db, id);
    if (!document) throw new DocumentNotFoundError(id);
    res.json(toDocumentView(document));
  });

  router.delete('/:id', async (req, res) => {
    await ingestion.remove(parseInput(documentId, req.params.id, 'id'));
    res.status(204).end();
  });

  router.post('/:id/reingest', async (req, res) => {
    const document = await ingestion.reingest(parseInput(documentId, req.params.id, 'id'));
    res.status(202).json({ id: document.id, status: document.status, workflowId: document.workflowId, duplicate: false });
  });

  return router;
}
