/** What the search API suite searches: documents ingested through the platform, ERP rows, and an HTTP client. */
import assert from 'node:assert/strict';
import { INDEX_NAMES } from '../../../lib/search/indexes.ts';
import { drainChanges } from '../../../lib/search/sync.ts';
import { createVocabulary } from '../../../lib/search/vocabulary.ts';
import type { TestPlatform } from '../../helpers/platform.ts';

export type Json = Record<string, any>;

export const DOCUMENTS = [
  {
    title: '差旅报销制度',
    tags: '财务',
    text: '员工出差产生的交通和住宿费用，应当凭发票在三十日内提交报销申请，由财务部审核后支付。超过期限的报销申请不予受理。',
  },
  {
    title: 'Travel expense policy',
    tags: 'finance',
    text: 'Employees submit travel expense reports with receipts within 30 days of the trip. Reimbursement is approved by the finance team and paid with the next salary.',
  },
  {
    title: '信息安全规范',
    tags: 'IT',
    text: '员工必须定期修改密码，不得在公共网络传输机密文件。发现安全事件应立即报告信息技术部。',
  },
  {
    title: 'Password policy',
    tags: 'IT',
    text: 'Passwords must be rotated every 90 days and must never be shared with colleagues or written down.',
  },
  {
    title: '年假管理办法',
    tags: 'HR',
    text: '员工每年享有带薪年假，年假应当提前两周通过人事系统申请，经部门经理批准后生效。',
  },
];

/** A client of the API with an API key: `get` and `post` answer status and JSON body; `ok` insists on 200. */
export function searchClient(url: () => string, defaultKey: () => string) {
  const call = async (path: string, init: RequestInit & { as?: string } = {}) => {
    const response = await fetch(`${url()}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${init.as ?? defaultKey()}`, ...(init.body && typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}), ...init.headers },
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as Json };
  };
  return {
    call,
    get: (path: string, params: Record<string, string | number> = {}, as?: string) =>
      call(`${path}?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`, { as }),
    post: (path: string, body: unknown, as?: string) => call(path, { method: 'POST', body: JSON.stringify(body), as }),
    ok: (r: { status: number; body: Json }) => {
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body;
    },
  };
}

/**
 * Uploads DOCUMENTS and waits until they are ready, inserts customers, products and
 * orders, then brings every index up to date as the sync workflow would. Returns the
 * document ids by title.
 */
export async function seedSearchData(t: TestPlatform, key: string): Promise<Map<string, string>> {
  const { db } = t.platform;
  const { call } = searchClient(() => t.api.url, () => key);
  const ids = new Map<string, string>();
  for (const doc of DOCUMENTS) {
    const form = new FormData();
    form.append('title', doc.title);
    form.append('tags', doc.tags);
    form.append('file', new Blob([doc.text]), `${doc.title}.txt`);
    const response = await fetch(`${t.api.url}/v1/documents`, { method: 'POST', body: form, headers: { authorization: `Bearer ${key}` } });
    const body = (await response.json()) as Json;
    assert.equal(response.status, 202, JSON.stringify(body));
    ids.set(doc.title, body.id);
  }
  for (const id of ids.values()) {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { body } = await call(`/v1/documents/${id}`);
      if (body.status === 'ready') break;
      assert.ok(['queued', 'running'].includes(body.status), `document ${id} ended ${body.status}: ${JSON.stringify(body.error)}`);
      assert.ok(Date.now() < deadline, `document ${id} not ready in time`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await db.query(`insert into customers (id, name, region, segment, created_at) values
    ('C1', '华东精密机械有限公司', '华东', 'enterprise', '2024-03-01'),
    ('C2', 'Northwind Trading Ltd', '海外', 'smb', '2024-05-12'),
    ('C3', '华南电子科技', '华南', 'smb', '2024-08-20')`);
  await db.query(`insert into products (sku, name, category, unit_price) values
    ('P1', '联想笔记本电脑', '电脑', 5999.00),
    ('P2', 'Wireless Mouse', 'accessories', 99.50),
    ('P3', '激光打印机', '办公设备', 1800.00)`);
  await db.query(`insert into orders (id, customer_id, sku, quantity, unit_price, status, ordered_at) values
    ('O1', 'C1', 'P1', 2, 5999.00, 'paid', '2025-01-15T10:00:00Z'),
    ('O2', 'C2', 'P1', 1, 5999.00, 'refunded', '2025-02-10T09:30:00Z'),
    ('O3', 'C3', 'P2', 10, 99.50, 'paid', '2025-02-20T14:00:00Z'),
    ('O4', 'C1', 'P3', 1, 1800.00, 'paid', '2025-03-05T08:00:00Z'),
    ('O5', 'C2', 'P1', 3, 5999.00, 'paid', '2025-06-01T12:00:00Z'),
    ('O6', 'C3', 'P1', 1, 5999.00, 'cancelled', '2025-03-30T16:45:00Z')`);
  // What syncSearchIndex does on its schedule, done here at once.
  const parts = { db, engine: t.platform.search, vocabulary: createVocabulary(db) };
  for (const index of INDEX_NAMES) while ((await drainChanges(parts, index, 500)).more);
  return ids;
}
