/** The ERP operations of the OpenAPI document: importing a CSV into customers, products or orders, and following the import. */
import { z } from 'zod';
import { ERP_TABLES } from '../../lib/erp/tables.ts';
import { MAX_IMPORT_ERRORS } from '../../lib/erp/csv-import.ts';
import { json, pathId, problem, notModified, responses } from './parts.ts';

const importStatus = z.enum(['queued', 'running', 'completed', 'failed']);
const importAccepted = z.object({ id: z.string(), workflowId: z.string(), status: importStatus });
const importView = z.object({
  id: z.string(),
  table: z.enum(ERP_TABLES),
  status: importStatus,
  rows: z.number().int().describe('data rows in the file, once validated'),
  imported: z.number().int().describe('rows written so far'),
  progress: z.number().min(0).max(1),
  errors: z
    .array(z.object({ row: z.number().int(), column: z.string(), detail: z.string() }))
    .max(MAX_IMPORT_ERRORS)
    .describe('what is wrong with a bad file (nothing of it was imported): row counts records with the header as row 1'),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  workflowId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});

const importIdParameter = pathId('^[0-9a-f]{32}$', 'an import id: 32 lower-case hex characters');

const multipartImport = {
  type: 'object',
  required: ['table', 'file'],
  additionalProperties: false,
  properties: {
    table: { type: 'string', enum: [...ERP_TABLES], description: 'the ERP table the rows go into' },
    file: {
      type: 'string',
      format: 'binary',
      description:
        'UTF-8 CSV whose header row names the columns (any order; the required ones at least). Rows are upserted by key: ' +
        'customers by id, products by sku, orders by id. Dates are ISO 8601 (UTC without a zone); amounts have at most 2 decimals.',
    },
  },
};

export const erpPaths = {
  '/v1/erp/imports': {
    post: {
      summary: 'Import a CSV into an ERP table (scope `erp`, default tenant), as an importDataset workflow',
      description:
        'The whole file is validated first: a bad file imports nothing, and the import then shows up to ' +
        `${MAX_IMPORT_ERRORS} errors with row and column. A good file is upserted by key in batches that survive a worker crash; ` +
        'the search indexes catch up afterwards.',
      requestBody: { required: true, content: { 'multipart/form-data': { schema: multipartImport, encoding: { file: { contentType: 'text/csv, text/plain, application/octet-stream' } } } } },
      responses: responses({
        '202': { description: 'Accepted; the import workflow started', ...json(importAccepted) },
        '400': problem('Invalid field, or no file'),
        '404': problem('No ERP for this tenant'),
        '413': problem('Larger than the upload limit'),
        '415': problem('Not multipart/form-data'),
      }),
    },
  },
  '/v1/erp/imports/{id}': {
    get: {
      summary: 'An import and where it stands: status, rows, and the errors of a bad file',
      parameters: [importIdParameter],
      responses: responses({
        '200': { description: 'The import', ...json(importView) },
        ...notModified,
        '400': problem('Not an import id'),
        '404': problem('No such import'),
      }),
    },
  },
};
