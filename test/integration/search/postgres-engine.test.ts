/**
 * The PostgreSQL search engine's own behaviour, beyond the shared contract
 * (contract-postgres.test.ts): lib/search/records.ts, hostile values, the time
 * limit, per-field phrases, nearest's growing window, catalog checks, and (on a
 * real server) that the statements it sends can use the indexes of migration 007.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database, Queryable } from '../../../lib/db/index.ts';
import { registerEmbeddingModel } from '../../../lib/embeddings/registry.ts';
import { createPostgresSearchEngine } from '../../../lib/search/adapters/postgres/index.ts';
import type { Clause, DocumentRecord, LexicalRequest, OrderRecord, SearchEngine } from '../../../lib/search/port.ts';
import { loadRecords, scanRecords } from '../../../lib/search/records.ts';
import { engines, openTestDatabase } from '../../helpers/platform.ts';

const DIM = 3;
const words = (...list: string[]): Clause => ({ kind: 'words', words: list.map((word) => ({ word, alternatives: [] })) });
const request = (r: Partial<LexicalRequest> & Pick<LexicalRequest, 'index'>): LexicalRequest => ({
  tenant: 'default', clause: null, filters: [], facets: [], sort: [], limit: 100, offset: 0, ...r,
});

/** Customers, products and orders in SQL; `orders` many generated ones for the time limit. */
async function seedErp(db: Queryable, orders: number): Promise<void> {
  await db.query(`insert into customers values ('C1', 'Acme Printing', '华东', 'smb', '2024-12-31T23:30:00Z'), ('C2', '上海华联贸易有限公司', '华北', null, null)`);
  await db.query(`insert into products values ('P1', 'Laser Printer', 'hardware', 33.33), ('P2', '热敏标签打印机', 'hardware', 1899.9)`);
  await db.query(
    `insert into orders select 'O' || lpad(g::text, 6, '0'), case when g % 2 = 0 then 'C1' else 'C2' end, case when g % 3 = 0 then 'P2' else 'P1' end,
            1 + g % 7, case when g % 3 = 0 then 1899.9 else 33.33 end, (array['paid','refunded','cancelled'])[1 + g % 3],
            timestamptz '2025-01-01T00:00:00Z' + (g % 400) * interval '1 day'
     from generate_series(1, $1::int) g`,
    [orders],
  );
}

/** A ready document with chunk texts and vectors; words as ingestion writes them (already segmented here). */
async function seedDocument(db: Queryable, id: string, title: string | null, chunks: { words: string; vector: number[] }[], status = 'ready'): Promise<void> {
  await db.query(
    `insert into documents (id, content_sha256, title, doc_type, size_bytes, blob_key, status, workflow_id, created_at)
     values ($1, $1, $2, 'md', 1, $1, $3, $1, '2025-03-01T00:00:00Z')`,
    [id, title, status],
  );
  for (const [idx, chunk] of chunks.entries()) {
    await db.query(
      `insert into chunks (document_id, idx, text, token_count, start_offset, end_offset, search_vector, embedding)
       values ($1, $2, $3, 1, 0, 1, to_tsvector('simple', $3), $4::vector)`,
      [id, idx, chunk.words, `[${chunk.vector.join(',')}]`],
    );
  }
}

for (const kind of engines) {
  describe(`postgres search engine on ${kind}`, () => {
    let db: Database;
    let close: () => Promise<void>;
    let engine: SearchEngine;
    const ORDERS = 3000;

    before(async () => {
      ({ db, close } = await openTestDatabase(kind));
      await registerEmbeddingModel(db, 'h2-test-model', DIM);
      engine = createPostgresSearchEngine({ db, dimension: DIM, timeoutMs: 10_000 });
      await seedErp(db, ORDERS);
      await seedDocument(db, 'doc-many', 'Network guide', Array.from({ length: 60 }, (_, i) => ({ words: `vpn chunk ${i}`, vector: [1, 0, 0] })));
      await seedDocument(db, 'doc-b', null, [{ words: 'vpn setup at home', vector: [0.9, 0.1, 0] }]);
      await seedDocument(db, 'doc-c', 'Expense rules', [{ words: 'expense report travel', vector: [0.5, 0.5, 0] }]);
      await seedDocument(db, 'doc-queued', 'Not yet', [{ words: 'vpn pending', vector: [1, 0, 0] }], 'queued');
      for (const index of ['documents', 'customers', 'orders'] as const) await engine.rebuild(index, scanRecords(db, index, 1000));
    });
    after(async () => {
      await engine?.close();
      await close?.();
    });

    it('records: ready documents only, chunks in order, dates in UTC whatever the session zone, amounts to the cent', async () => {
      const [doc, ...rest] = (await db.transaction(async (tx) => {
        await tx.query(`set local timezone = 'Asia/Shanghai'`);
        return loadRecords(tx, 'documents', ['doc-many', 'doc-queued', 'no-such']);
      })) as DocumentRecord[];
      assert.equal(rest.length, 0, 'a queued document is not a record');
      assert.equal(doc!.id, 'doc-many');
      assert.equal(doc!.created_at, '2025-03-01T00:00:00.000Z');
      assert.deepEqual(doc!.chunks.slice(0, 3).map((c) => c.idx), [0, 1, 2]);
      assert.deepEqual(doc!.chunks[0]!.embedding, [1, 0, 0]);
      const [light] = (await loadRecords(db, 'documents', ['doc-many'], { vectors: false })) as DocumentRecord[];
      assert.equal(light!.chunks.length, 60);
      assert.equal(light!.chunks[0]!.embedding, null, 'no vectors read when asked not to');
      const [customer] = await loadRecords(db, 'customers', ['C1']);
      assert.equal((customer as { created_at: string }).created_at, '2024-12-31T23:30:00.000Z');
      const [order] = (await loadRecords(db, 'orders', ['O000001'])) as OrderRecord[];
      assert.deepEqual(
        { name: order!.customer_name, product: order!.product_name, quantity: order!.quantity, amount: order!.amount, region: order!.region },
        { name: '上海华联贸易有限公司', product: 'Laser Printer', quantity: 2, amount: 66.66, region: '华北' },
      );
    });

    it('scanRecords reads every record once, by id, in batches', async () => {
      const seen: string[] = [];
      let batches = 0;
      for await (const batch of scanRecords(db, 'orders', 700)) {
        batches++;
        seen.push(...batch.map((r) => r.id));
      }
      assert.equal(batches, Math.ceil(ORDERS / 700));
      assert.equal(new Set(seen).size, ORDERS);
      assert.deepEqual(seen, [...seen].sort());
    });

    it('treats hostile values as text: tsquery syntax, SQL, NUL', async () => {
      for (const hostile of [`'); drop table orders; --`, 'laser & !printer:* <-> |', 'laser\0printer', '\\', "o'brien"]) {
        const result = await engine.lexical(request({ index: 'orders', clause: words(hostile), limit: 1 }));
        assert.equal(typeof result.total, 'number', hostile);
        await engine.lexical(request({ index: 'orders', clause: { kind: 'keyword', field: 'status', value: hostile } }));
        await engine.lexical(request({ index: 'orders', filters: [{ field: 'region', kind: 'terms', values: [hostile] }] }));
      }
      // `laser\0printer` is searched as the words around the NUL; the tables are all still there.
      assert.equal((await engine.lexical(request({ index: 'orders', limit: 0 }))).total, ORDERS);
    });

    it('a phrase never spans two fields', async () => {
      // Customer "Acme Printing", product "Laser Printer": "printing laser" would join them.
      const across = await engine.lexical(request({ index: 'orders', clause: { kind: 'phrase', words: ['printing', 'laser'] }, limit: 0 }));
      assert.equal(across.total, 0);
      const within = await engine.lexical(request({ index: 'orders', clause: { kind: 'phrase', words: ['laser', 'printer'] }, limit: 0 }));
      assert.ok(within.total > 0);
    });

    it('a rare word weighs more than a common one (IDF from the vocabulary)', async () => {
      const top = async (common: string, rare: string) => {
        await db.query(`delete from search_terms where index_name = 'orders'`);
        await db.query(`insert into search_terms (index_name, term, records) values ('orders', $1, $3), ('orders', $2, 1)`, [common, rare, ORDERS]);
        const { hits } = await engine.lexical(request({ index: 'orders', clause: words('laser', '打印机'), limit: 1 }));
        return hits[0]!.fields.product_name;
      };
      try {
        assert.equal(await top('laser', '打印机'), '热敏标签打印机');
        assert.equal(await top('打印机', 'laser'), 'Laser Printer');
      } finally {
        await db.query(`delete from search_terms where index_name = 'orders'`);
      }
    });

    it('a `not` of a missing value is true', async () => {
      const all = await engine.lexical(request({ index: 'customers', clause: { kind: 'not', child: { kind: 'keyword', field: 'segment', value: 'smb' } } }));
      assert.deepEqual(all.hits.map((h) => h.id), ['C2']);
    });

    it('histograms are UTC days whatever the session zone', async () => {
      if (kind !== 'pglite') return; // one connection: a session setting reaches the engine's next statement
      await db.query(`set timezone = 'Asia/Shanghai'`);
      try {
        const { facets } = await engine.lexical(request({ index: 'customers', limit: 0, facets: [{ name: 'year', kind: 'histogram', field: 'created_at', interval: 'year' }] }));
        assert.deepEqual(facets.year, [{ value: '2024-01-01', count: 1 }]);
      } finally {
        await db.query('set timezone = default');
      }
    });

    it('upserting a record whose source row is gone writes nothing; removing an unknown id is fine', async () => {
      const ghost = { ...((await loadRecords(db, 'orders', ['O000002']))[0] as OrderRecord), id: 'O-GHOST' };
      await engine.upsert('orders', [ghost, ghost]);
      assert.equal((await engine.lexical(request({ index: 'orders', filters: [{ field: 'id', kind: 'terms', values: ['O-GHOST'] }] }))).total, 0);
      await engine.remove('orders', ['O-GHOST', 'never']);
    });

    it('nearest: one hit per document even when one document fills the first window', async () => {
      const hits = await engine.nearest({ index: 'documents', tenant: 'default', vector: Float32Array.from([1, 0, 0]), filters: [], k: 3 });
      assert.deepEqual(hits.map((h) => h.id), ['doc-many', 'doc-b', 'doc-c']);
      assert.ok(hits[0]!.score > 0.99 && hits[0]!.snippets.length === 1);
      const wrongSize = await engine.nearest({ index: 'documents', tenant: 'default', vector: Float32Array.from([1, 0]), filters: [], k: 3 });
      assert.deepEqual(wrongSize, []);
    });

    it('refuses fields the catalog does not allow, and values their type cannot hold, naming the field', async () => {
      const refused = async (r: Partial<LexicalRequest>, field: string) =>
        assert.rejects(engine.lexical(request({ index: 'orders', ...r })), (e: { code?: string; field?: string }) => e.code === 'E_SEARCH_FIELD' && e.field === field);
      await refused({ filters: [{ field: 'nope', kind: 'terms', values: ['x'] }] }, 'nope');
      await refused({ filters: [{ field: 'customer_name', kind: 'terms', values: ['x'] }] }, 'customer_name');
      await refused({ filters: [{ field: 'ordered_at', kind: 'range', gte: 'yesterday' }] }, 'ordered_at');
      await refused({ filters: [{ field: 'amount', kind: 'range', gte: 'lots' }] }, 'amount');
      await refused({ sort: [{ field: 'customer_name', dir: 'asc' }] }, 'customer_name');
      await refused({ facets: [{ name: 'status', kind: 'stats', field: 'status' }] }, 'status');
      await refused({ clause: { kind: 'words', field: 'status', words: [{ word: 'paid', alternatives: [] }] } }, 'status');
      await refused({ sort: [{ field: 'amount', dir: 'asc' }], after: ['not-a-number', 'O1'] }, 'amount');
    });

    it('bounds every search by statement_timeout', async (t) => {
      if (kind === 'pglite') return t.skip('PGlite has no statement timer (single-threaded WASM): searches there are bounded by the data size only');
      const hasty = createPostgresSearchEngine({ db, dimension: DIM, timeoutMs: 1 });
      const heavy = request({
        index: 'orders',
        clause: { kind: 'or', children: [words('laser', 'printer', '打印机'), { kind: 'not', child: words('acme') }] },
        facets: [{ name: 'day', kind: 'histogram', field: 'ordered_at', interval: 'day' }, { name: 'amount', kind: 'stats', field: 'amount' }],
      });
      await assert.rejects(hasty.lexical(heavy), (e: { code?: string }) => e.code === 'E_SEARCH_UNAVAILABLE');
      assert.ok((await engine.lexical(heavy)).total > 0, 'the same search within the limit answers');
    });

    it('its statements can use the GIN and btree indexes', async (t) => {
      if (kind === 'pglite') return t.skip('plans checked on PostgreSQL');
      const statements: { sql: string; params: readonly unknown[] }[] = [];
      const recording: Database = {
        ...db,
        engine: db.engine,
        query: (sql, params) => db.query(sql, params),
        transaction: (work) =>
          db.transaction((tx) => work({ query: (sql, params = []) => (statements.push({ sql, params }), tx.query(sql, params)) })),
        close: async () => {},
      };
      const spy = createPostgresSearchEngine({ db: recording, dimension: DIM, timeoutMs: 10_000 });
      const plans = async (r: LexicalRequest) => {
        statements.length = 0;
        await spy.lexical(r);
        return db.transaction(async (tx) => {
          await tx.query('set local enable_seqscan = off');
          const out: string[] = [];
          for (const s of statements.filter((s) => /^\s*(with|select)/i.test(s.sql) && !/set_config/.test(s.sql))) {
            const { rows } = await tx.query<{ 'QUERY PLAN': string }>(`explain ${s.sql}`, s.params);
            out.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
          }
          return out.join('\n');
        });
      };
      assert.match(await plans(request({ index: 'orders', clause: words('laser') })), /search_orders_(customer|product)_words_idx/);
      assert.match(
        await plans(request({ index: 'orders', filters: [{ field: 'status', kind: 'terms', values: ['paid'] }, { field: 'ordered_at', kind: 'range', gte: '2025-06-01' }], facets: [{ name: 'amount', kind: 'stats', field: 'amount' }] })),
        /search_orders_(status_)?ordered_at_idx/,
      );
      assert.match(await plans(request({ index: 'orders', sort: [{ field: 'amount', dir: 'desc' }], limit: 10 })), /search_orders_amount_desc_idx/);
      assert.match(await plans(request({ index: 'documents', clause: words('vpn') })), /chunks_search_idx/);
    });
  });
}
