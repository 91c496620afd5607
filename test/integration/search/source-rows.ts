/**
 * The PostgreSQL adapter searches the platform's own tables (documents and their
 * chunks, the ERP tables and its side tables), so before the contract suite asks it
 * to index a record, the record must be in those tables, as ingestion and the ERP
 * import would have left it. These helpers write them; Elasticsearch needs none.
 */
import type { Database } from '../../../lib/db/index.ts';
import { toVectorLiteral } from '../../../lib/embeddings/vectors.ts';
import type { CustomerRecord, DocumentRecord, OrderRecord } from '../../../lib/search/port.ts';
import { segmentForIndex } from '../../../lib/search/segment.ts';
import type { ProductRow } from '../../fixtures/search/erp.ts';

/** Ready documents with their chunks, words (jieba, as ingestion stores them) and vectors; replaces existing ones. */
export async function storeDocuments(db: Database, records: DocumentRecord[]): Promise<void> {
  for (const record of records) {
    await db.transaction(async (tx) => {
      await tx.query(
        `insert into knowledge_bases (tenant, id, name) values ($1, $2, $2) on conflict do nothing`,
        [record.tenant, record.knowledge_base],
      );
      await tx.query('delete from documents where id = $1', [record.id]);
      await tx.query(
        `insert into documents (id, tenant, content_sha256, title, tags, doc_type, size_bytes, blob_key, status, stage,
                                progress, chunk_count, workflow_id, created_at, knowledge_base, lang)
         values ($1, $2, $1, $3, $4, $5, $6, $1, 'ready', 'done', 1, $7, $1, $8, $9, $10)`,
        [
          record.id,
          record.tenant,
          record.title,
          record.tags,
          record.doc_type,
          record.chunks.reduce((n, c) => n + Buffer.byteLength(c.text), 0),
          record.chunks.length,
          record.created_at,
          record.knowledge_base,
          record.lang,
        ],
      );
      for (const chunk of record.chunks) {
        await tx.query(
          `insert into chunks (document_id, idx, text, token_count, start_offset, end_offset, search_vector, embedding)
           values ($1, $2, $3, $4, 0, $5, to_tsvector('simple', $6), $7::vector)`,
          [
            record.id,
            chunk.idx,
            chunk.text,
            Math.ceil(chunk.text.length / 2),
            chunk.text.length,
            segmentForIndex(chunk.text),
            chunk.embedding ? toVectorLiteral(chunk.embedding) : null,
          ],
        );
      }
    });
  }
}

export async function deleteDocuments(db: Database, ids: string[]): Promise<void> {
  await db.query('delete from documents where id = any($1)', [ids]);
}

/** Customers, products and orders as the ERP tables hold them. */
export async function storeErp(db: Database, customers: CustomerRecord[], products: ProductRow[], orders: OrderRecord[]): Promise<void> {
  await db.query(
    `insert into customers (id, name, region, segment, created_at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
     on conflict (id) do update set name = excluded.name, region = excluded.region, segment = excluded.segment, created_at = excluded.created_at`,
    [customers.map((c) => c.id), customers.map((c) => c.name), customers.map((c) => c.region), customers.map((c) => c.segment), customers.map((c) => c.created_at)],
  );
  await db.query(
    `insert into products (sku, name, category, unit_price)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::numeric[])
     on conflict (sku) do update set name = excluded.name, category = excluded.category, unit_price = excluded.unit_price`,
    [products.map((p) => p.sku), products.map((p) => p.name), products.map((p) => p.category), products.map((p) => p.unit_price)],
  );
  await db.query(
    `insert into orders (id, customer_id, sku, quantity, unit_price, status, ordered_at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::numeric[], $6::text[], $7::timestamptz[])
     on conflict (id) do update set customer_id = excluded.customer_id, sku = excluded.sku, quantity = excluded.quantity,
       unit_price = excluded.unit_price, status = excluded.status, ordered_at = excluded.ordered_at`,
    [
      orders.map((o) => o.id),
      orders.map((o) => o.customer_id),
      orders.map((o) => o.sku),
      orders.map((o) => o.quantity),
      orders.map((o) => o.unit_price),
      orders.map((o) => o.status),
      orders.map((o) => o.ordered_at),
    ],
  );
}

export async function deleteOrders(db: Database, ids: string[]): Promise<void> {
  await db.query('delete from orders where id = any($1)', [ids]);
}
