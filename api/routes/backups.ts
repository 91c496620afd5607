import { Router, type Response } from 'express';
import type { z } from 'zod';
import type { BackupRecord } from '../../lib/backup/types.ts';
import { backupCursor, backupId, backupListQuery, backupRequest, restoreRequest } from '../backup-schemas.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { requireScope } from '../middleware/auth.ts';
import type { BackupService } from '../services/backups.ts';
import { HttpProblem } from '../problem.ts';
import { parseInput } from '../validate.ts';

/**
 * parseInput, except that an unknown member is named itself (`retention`, not
 * `(body)`): in a query string especially, `(body)` would point nowhere.
 */
function parseNamed<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw HttpProblem.invalid(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), detail: 'not a member this operation takes' }))
        : [{ field: issue.path.join('.') || '(body)', detail: issue.message }],
    ),
  );
}

/** What a client sees of a backup: the manifest's summary (parts by name, size and sha256), never a blob key. */
export function toBackupView(b: BackupRecord) {
  const m = b.manifest;
  return {
    id: b.id,
    status: b.status,
    trigger: b.trigger,
    engine: m?.engine ?? null,
    schemaVersion: m?.schemaVersion ?? null,
    encryption: m?.encryption ?? null,
    parts: (m?.parts ?? []).map((p) => ({ name: p.name, bytes: p.bytes, rawBytes: p.rawBytes, sha256: p.sha256 })),
    rowCounts: m?.rowCounts ?? {},
    blobs: m?.blobs ?? null,
    verification: b.verification ?? null,
    retention: b.retention ?? null,
    error: b.error ?? null,
    lastRestore: b.lastRestore
      ? { workflowId: b.lastRestore.workflowId, status: b.lastRestore.status, startedAt: b.lastRestore.startedAt, finishedAt: b.lastRestore.finishedAt ?? null, error: b.lastRestore.error ?? null }
      : null,
    workflowId: b.workflowId,
    createdAt: b.createdAt,
    finishedAt: b.finishedAt ?? null,
  };
}

/**
 * Reads an optional JSON body: none (or not JSON) is `{}`, so `POST` with no body
 * works from curl; a JSON body is checked strictly by the route's schema.
 */
const readOptionalJson = createJsonBodyReader(16 * 1024, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 16 KiB' });

/**
 * /v1/backups: take, list, read and restore platform backups. A backup holds every
 * tenant's data, so every route needs the operator's scope `tenants`.
 */
export function createBackupsRouter({ backups }: { backups: BackupService }): Router {
  const router = Router();
  router.use(requireScope('tenants'));
  const body = async (req: Parameters<typeof readOptionalJson>[0], res: Response) =>
    req.is('application/json') ? ((await readOptionalJson(req, res)) ?? {}) : {};
  const idParam = (value: unknown) => parseInput(backupId, value, 'id');

  router.post('/', async (req, res) => {
    parseNamed(backupRequest, await body(req, res));
    const started = await backups.start();
    res.status(202).location(`/v1/backups/${started.id}`).json(started);
  });

  router.get('/', async (req, res) => {
    const query = parseNamed(backupListQuery, req.query);
    const after = query.cursor ? decodeCursor(backupCursor, query.cursor) : undefined;
    const page = await backups.list({ limit: query.limit, after });
    res.json({ items: page.items.map(toBackupView), nextCursor: page.next ? encodeCursor(page.next) : null });
  });

  router.get('/:id', async (req, res) => {
    res.json(toBackupView(await backups.get(idParam(req.params.id))));
  });

  router.post('/:id/restore', async (req, res) => {
    const id = idParam(req.params.id);
    const { confirmationToken } = parseNamed(restoreRequest, await body(req, res));
    const started = await backups.restore(id, confirmationToken);
    res.status(202).location(`/v1/backups/${id}`).json(started);
  });

  return router;
}
