import { Router, type Response } from 'express';
import { z } from 'zod';
import type { ImportRecord } from '../../lib/erp/imports.ts';
import { ERP_TABLES } from '../../lib/erp/tables.ts';
import { DEFAULT_TENANT } from '../../lib/knowledge-bases/repository.ts';
import { requireScope, tenantOf } from '../middleware/auth.ts';
import { parseMultipart } from '../multipart.ts';
import { HttpProblem } from '../problem.ts';
import type { ErpImportService } from '../services/erp-imports.ts';
import { parseInput } from '../validate.ts';

export const importId = z.string().regex(/^[0-9a-f]{32}$/, 'expected an import id (32 hex characters)');
export const importFields = z.strictObject({ table: z.enum(ERP_TABLES) });

/** What a client sees of an import. */
export function toImportView(i: ImportRecord) {
  return {
    id: i.id,
    table: i.table,
    status: i.status,
    rows: i.rows,
    imported: i.imported,
    progress: Math.round(i.progress * 1000) / 1000,
    errors: i.errors,
    error: i.error,
    workflowId: i.workflowId,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    finishedAt: i.finishedAt,
  };
}

const notFound = (detail: string) => new HttpProblem(404, 'Not found', detail, { code: 'E_IMPORT_NOT_FOUND' });

/**
 * The ERP belongs to the deployment's own company, the default tenant: another
 * tenant's key finds nothing here (404, as for anything it cannot see).
 */
function requireErpTenant(res: Response): void {
  if (tenantOf(res) !== DEFAULT_TENANT) throw notFound('no ERP for this tenant');
}

export function createErpRouter({ imports }: { imports: ErpImportService }): Router {
  const router = Router();

  router.post('/imports', requireScope('erp'), async (req, res) => {
    requireErpTenant(res);
    if (!req.is('multipart/form-data')) {
      throw new HttpProblem(415, 'Unsupported media type', 'send multipart/form-data with a field "table" and a CSV part named "file"', {
        code: 'E_UNSUPPORTED_MEDIA_TYPE',
      });
    }
    const upload = await parseMultipart(req, { fields: 4, fieldSize: 256 }, imports);
    let table: z.infer<typeof importFields>['table'];
    try {
      for (const [name, values] of upload.fields) {
        if (values.length > 1) throw HttpProblem.invalid([{ field: name, detail: 'give this field once' }]);
      }
      ({ table } = parseInput(importFields, Object.fromEntries([...upload.fields].map(([name, values]) => [name, values[0]]))));
    } catch (error) {
      await imports.discard(upload.file);
      throw error;
    }
    const record = await imports.submit(table, upload.file);
    res.status(202).location(`/v1/erp/imports/${record.id}`).json({ id: record.id, workflowId: record.workflowId, status: record.status });
  });

  router.get('/imports/:id', requireScope('erp'), async (req, res) => {
    requireErpTenant(res);
    const id = parseInput(importId, req.params.id, 'id');
    const record = await imports.get(id);
    if (!record) throw notFound(`no import ${id}`);
    res.json(toImportView(record));
  });

  return router;
}
