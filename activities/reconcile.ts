import type { BlobStore } from '../lib/blob/port.ts';
import type { Database } from '../lib/db/index.ts';
import { stagingPrefix } from '../lib/documents/blob-keys.ts';
import type { DocumentRecord } from '../lib/documents/repository.ts';
import { withFailureMapping } from './failures.ts';

/** What reconcile needs of the workflow engine (client/documents.ts provides it). */
export interface DocumentRuns {
  /** Whether the document's ingestion, or its removal, has an open run now. */
  hasOpenRun(documentId: string, kind: 'ingestion' | 'deletion'): Promise<boolean>;
  startIngestion(document: Pick<DocumentRecord, 'id' | 'tenant' | 'sizeBytes' | 'docType'>): Promise<string>;
  startDeletion(documentId: string, options?: { tenant?: string }): Promise<string>;
}

export interface ReconcileDeps {
  db: Database;
  blobs: BlobStore;
  workflows: DocumentRuns;
}

/** Documents looked at, and blobs looked at, per reconcile run: bounded work on a large store. */
const documentsPerRun = 1000;
const blobsPerRun = 20_000;

/** Finds work that lost its run, and files that lost their document. */
export function createReconcileActivities({ db, blobs, workflows }: ReconcileDeps) {
  return withFailureMapping({
    /**
     * Restarts documents left `queued`, `running` or `deleting` with no open run: an
     * upload that crashed before its start, or runs lost with a server's state. Only
     * documents untouched for `graceMs` are looked at; starting joins any open run anyway.
     */
    async restartStalledDocuments({ graceMs }: { graceMs: number }): Promise<{ checked: number; restarted: string[] }> {
      const { rows } = await db.query<{ id: string; status: string; tenant: string; size_bytes: string; doc_type: string }>(
        `select id, status, tenant, size_bytes, doc_type from documents
         where status in ('queued', 'running', 'deleting') and updated_at < now() - make_interval(secs => $1)
         order by updated_at limit $2`,
        [graceMs / 1000, documentsPerRun],
      );
      const restarted: string[] = [];
      for (const document of rows) {
        const deleting = document.status === 'deleting';
        if (await workflows.hasOpenRun(document.id, deleting ? 'deletion' : 'ingestion')) continue;
        if (deleting) await workflows.startDeletion(document.id, { tenant: document.tenant });
        else {
          const { id, tenant } = document;
          await workflows.startIngestion({ id, tenant, sizeBytes: Number(document.size_bytes), docType: document.doc_type });
        }
        restarted.push(document.id);
      }
      return { checked: rows.length, restarted };
    },

    /**
     * Removes blobs no document needs, once older than `olderThanMs` (so an upload
     * between storing its bytes and inserting its row is never touched): staging
     * files and partial writes of crashed uploads, uploads whose document is gone,
     * and recognised text of documents that are gone or finished.
     */
    async sweepOrphanBlobs({ olderThanMs }: { olderThanMs: number }): Promise<{ scanned: number; removed: string[] }> {
      const cutoff = Date.now() - olderThanMs;
      const candidates: string[] = [];
      let scanned = 0;
      for (const prefix of [stagingPrefix, 'documents/', 'text/']) {
        for await (const blob of blobs.list(prefix)) {
          if (++scanned > blobsPerRun) break;
          if (blob.modifiedAt.getTime() < cutoff) candidates.push(blob.key);
        }
      }
      const needed = await neededBlobs(db, candidates);
      const removed = candidates.filter((key) => !needed.has(key));
      for (const key of removed) await blobs.delete(key);
      return { scanned, removed };
    },
  });
}

/** Of `keys`, those a document still needs: its upload, or its recognised text while it is being ingested. */
async function neededBlobs(db: Database, keys: string[]): Promise<Set<string>> {
  const uploads = keys.filter((k) => k.startsWith('documents/'));
  const texts = keys.filter((k) => k.startsWith('text/'));
  const { rows } = await db.query<{ key: string }>(
    `select blob_key as key from documents where blob_key = any($1::text[])
     union all
     select 'text/' || id || '.txt' from documents
       where 'text/' || id || '.txt' = any($2::text[]) and status in ('queued', 'running')`,
    [uploads, texts],
  );
  return new Set(rows.map((r) => r.key));
}
