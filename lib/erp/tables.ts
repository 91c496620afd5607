/**
 * The ERP tables as imports and the generator see them: columns, types, keys and
 * references, matching lib/db/migrations/005_erp.sql. SQL that names a table or a
 * column takes the name from here, never from input (a CSV header only selects
 * entries of this catalog).
 */
export const ERP_TABLES = ['customers', 'products', 'orders'] as const;
export type ErpTable = (typeof ERP_TABLES)[number];

export type ColumnType = 'text' | 'timestamptz' | 'int' | 'money' | 'status';

export interface ColumnSpec {
  type: ColumnType;
  /** An import must name the column in its header and fill it on every row. */
  required: boolean;
  /** For text: longest value accepted. */
  maxLength?: number;
  /** For numbers: smallest value accepted. */
  min?: number;
  /** A value must be the key of a row there (in the database, or earlier in the same file). */
  references?: 'customers' | 'products';
}

export interface TableSpec {
  /** The upsert key. */
  key: string;
  columns: Record<string, ColumnSpec>;
}

export const ORDER_STATUSES = ['paid', 'refunded', 'cancelled'] as const;

const key = { type: 'text', required: true, maxLength: 64 } as const;

export const TABLE_SPECS: Record<ErpTable, TableSpec> = {
  customers: {
    key: 'id',
    columns: {
      id: key,
      name: { type: 'text', required: true, maxLength: 200 },
      region: { type: 'text', required: false, maxLength: 50 },
      segment: { type: 'text', required: false, maxLength: 50 },
      created_at: { type: 'timestamptz', required: false },
    },
  },
  products: {
    key: 'sku',
    columns: {
      sku: key,
      name: { type: 'text', required: true, maxLength: 200 },
      category: { type: 'text', required: false, maxLength: 100 },
      unit_price: { type: 'money', required: true, min: 0 },
    },
  },
  orders: {
    key: 'id',
    columns: {
      id: key,
      customer_id: { type: 'text', required: true, maxLength: 64, references: 'customers' },
      sku: { type: 'text', required: true, maxLength: 64, references: 'products' },
      quantity: { type: 'int', required: true, min: 0 },
      unit_price: { type: 'money', required: true, min: 0 },
      status: { type: 'status', required: true },
      ordered_at: { type: 'timestamptz', required: true },
    },
  },
};

/** The key column of the table a reference points to. */
export const referencedKey = (table: 'customers' | 'products') => TABLE_SPECS[table].key;

/** PostgreSQL array type that carries a column's values in one bound parameter. */
export const arrayType: Record<ColumnType, string> = {
  text: 'text[]',
  status: 'text[]',
  timestamptz: 'timestamptz[]',
  int: 'int4[]',
  money: 'numeric[]',
};
