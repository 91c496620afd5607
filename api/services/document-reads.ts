/**
 * Reading one document through the cache. A document's view is cached briefly
 * (its progress moves while it is ingested; the workflow drops it from every
 * process the moment it finishes or goes, through its tenant's tag), one load per
 * key at a time across processes, and an id that cannot exist (the Bloom filter
 * of every document id says so) never reaches the database.
 */
import type { Cache } from '../../lib/cache/index.ts';
import type { Database } from '../../lib/db/index.ts';
import { documentsTag } from '../../lib/documents/cache-tags.ts';
import { getTenantDocument, type DocumentRecord } from '../../lib/documents/repository.ts';

/** Sized for a million documents at 1% false positives (about 1.2 MB); past it only the false-positive rate rises. */
const expectedDocuments = 1_000_000;

export function createDocumentReads({ db, cache }: { db: Database; cache: Cache }) {
  const ids = cache.createExistenceFilter({
    name: 'document-ids',
    expectedItems: expectedDocuments,
    async *load() {
      // Keyset pages, so a large table is read in bounded pieces.
      for (let after = ''; ; ) {
        const { rows } = await db.query<{ id: string }>('select id from documents where id > $1 order by id limit 10000', [after]);
        for (const row of rows) yield row.id;
        if (rows.length < 10_000) return;
        after = rows.at(-1)!.id;
      }
    },
  });
  const views = cache.namespace('document');
  return {
    /** Reads every id into the filter; until then it lets every id through. */
    seed: () => ids.seed(),
    /** A new document's id, for this process's filter and (over the bus) every other's. */
    added: (id: string) => ids.add(id),
    /** The tenant's document, or undefined (another tenant's reads the same as none). */
    get: (tenant: string, id: string): Promise<DocumentRecord | undefined> =>
      views.getOrSet(`${tenant}:${id}`, () => getTenantDocument(db, tenant, id), {
        existence: { filter: ids, id },
        tags: [documentsTag(tenant)],
        ttl: '2s',
        grace: 0,
        negativeTtl: '30s',
      }),
  };
}

export type DocumentReads = ReturnType<typeof createDocumentReads>;
