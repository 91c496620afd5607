/**
 * The search port's contract: both adapters (PostgreSQL on PGlite and on a real
 * server, and a real Elasticsearch) must pass it. Suites call
 * `searchEngineContract` with a factory. The judged corpus (64 documents, real
 * bge-small vectors) and a small ERP set are indexed through `engine.upsert`; every
 * expected answer is computed from the same records (contract-oracle.ts).
 *
 * An engine that searches PostgreSQL's own tables gets `db`: the suite writes each
 * record there first, as ingestion or an ERP import would, and deletes it there
 * before `engine.remove`, the order the sync workflow sees them in.
 */
import { after, before, describe } from 'node:test';
import type { Database } from '../../../lib/db/index.ts';
import type { CustomerRecord, DocumentRecord, LexicalRequest, OrderRecord, SearchEngine } from '../../../lib/search/port.ts';
import { searchCorpus } from '../../fixtures/search/corpus.ts';
import { erpCustomers, erpOrders, erpProducts } from '../../fixtures/search/erp.ts';
import { corpusRecords, toDocumentRecord } from '../../fixtures/search/records.ts';
import { documentContract } from './contract-documents.ts';
import { erpContract } from './contract-erp.ts';
import { storeDocuments, storeErp } from './source-rows.ts';

export interface EngineTarget {
  engine: SearchEngine;
  /** Present when the engine reads the platform's tables (PostgreSQL): the suite fills them. */
  db?: Database;
  /** Extra teardown (databases, index prefixes); the suite closes the engine itself. */
  stop?: () => Promise<void>;
}

export const ACME = 'acme';

export interface ContractWorld {
  engine: SearchEngine;
  db?: Database;
  /** The default tenant's documents: the whole corpus. */
  documents: DocumentRecord[];
  /** Another tenant's: copies of three corpus documents and one with a word only it has. */
  acme: DocumentRecord[];
  customers: CustomerRecord[];
  orders: OrderRecord[];
}

/** A lexical request with the defaults filled in. */
export function lexical(request: Partial<LexicalRequest> & Pick<LexicalRequest, 'index'>): LexicalRequest {
  return { tenant: 'default', clause: null, filters: [], facets: [], sort: [], limit: 100, offset: 0, ...request };
}

export const words = (...list: string[]) => ({ kind: 'words' as const, words: list.map((word) => ({ word, alternatives: [] })) });

async function acmeDocuments(): Promise<DocumentRecord[]> {
  const copies = await Promise.all(
    ['hr-travel-policy-zh', 'it-vpn-en', 'legal-nda-en'].map((id) => toDocumentRecord(searchCorpus.find((d) => d.id === id)!, ACME, `acme-${id}`)),
  );
  const own = await toDocumentRecord(
    {
      id: 'acme-zephyrine',
      title: 'Zephyrine Launch Plan',
      knowledgeBase: 'product',
      tags: ['launch'],
      lang: 'en',
      createdAt: '2025-09-09T09:00:00.000Z',
      text: '# Zephyrine Launch Plan\n\nZephyrine ships to acme customers in October, with a VPN-free remote access mode.',
    },
    ACME,
  );
  return [...copies, own];
}

/** Upserts in batches, as the sync workflow does. */
export async function index<T extends DocumentRecord | CustomerRecord | OrderRecord>(
  engine: SearchEngine,
  name: 'documents' | 'customers' | 'orders',
  records: T[],
): Promise<void> {
  for (let i = 0; i < records.length; i += 25) await engine.upsert(name, records.slice(i, i + 25));
}

export function searchEngineContract(name: string, start: () => Promise<EngineTarget>): void {
  describe(`SearchEngine contract: ${name}`, () => {
    let target: EngineTarget | undefined;
    const world = {} as ContractWorld;

    before(async () => {
      target = await start();
      Object.assign(world, {
        engine: target.engine,
        db: target.db,
        documents: await corpusRecords(),
        acme: await acmeDocuments(),
        customers: erpCustomers,
        orders: erpOrders,
      });
      await world.engine.ensureReady();
      await world.engine.ensureReady(); // safe to call again
      if (world.db) {
        await storeDocuments(world.db, [...world.documents, ...world.acme]);
        await storeErp(world.db, world.customers, erpProducts, world.orders);
      }
      await index(world.engine, 'documents', [...world.documents, ...world.acme]);
      await index(world.engine, 'customers', world.customers);
      await index(world.engine, 'orders', world.orders);
    });
    after(async () => {
      await target?.engine.close();
      await target?.stop?.();
    });

    documentContract(world);
    erpContract(world);
  });
}
