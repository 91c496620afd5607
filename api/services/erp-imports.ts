import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ErpWorkflows } from '../../client/erp.ts';
import type { BlobStore } from '../../lib/blob/port.ts';
import type { Database } from '../../lib/db/index.ts';
import { receiveUpload, type ReceivedUpload } from '../../lib/documents/intake.ts';
import { deleteImport, getImport, importBlobKey, insertImport, type ImportRecord } from '../../lib/erp/imports.ts';
import type { ErpTable } from '../../lib/erp/tables.ts';
import { importWorkflowId } from '../../workflows/erp-definitions.ts';

export interface ErpImportDeps {
  db: Database;
  blobs: BlobStore;
  workflows: ErpWorkflows;
  maxUploadBytes: number;
}

/**
 * What the API does with ERP imports: store the file, record the import and start
 * its workflow, which does the rest. An import either starts its workflow or leaves
 * nothing behind.
 */
export function createErpImportService({ db, blobs, workflows, maxUploadBytes }: ErpImportDeps) {
  return {
    /** Streams the CSV into staging (never whole in memory); `submit` or `discard` it once the form is read. */
    receive: (body: Readable) => receiveUpload(blobs, body, maxUploadBytes),

    discard: (upload: ReceivedUpload) => blobs.delete(upload.stagingKey),

    async submit(table: ErpTable, upload: ReceivedUpload): Promise<ImportRecord> {
      const id = randomBytes(16).toString('hex');
      const blobKey = importBlobKey(id);
      try {
        await blobs.rename(upload.stagingKey, blobKey);
        const record = await insertImport(db, { id, table, blobKey, workflowId: importWorkflowId(id) });
        try {
          await workflows.startImport(id);
        } catch (error) {
          await deleteImport(db, id);
          throw error;
        }
        return record;
      } catch (error) {
        await blobs.delete(blobKey);
        throw error;
      } finally {
        await blobs.delete(upload.stagingKey);
      }
    },

    get: (id: string) => getImport(db, id),
  };
}

export type ErpImportService = ReturnType<typeof createErpImportService>;
