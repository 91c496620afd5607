/**
 * The peer of bench/search: the very requests our engines send, captured once and
 * then sent raw. Elasticsearch: a recording proxy in front of the cluster keeps the
 * method, path and body of each search request; the peer posts them with fetch.
 * PostgreSQL: a recording wrapper around the database keeps each statement and its
 * parameters (and whether it ran in a transaction); the peer runs them on a plain
 * pg client. So the ratio is exactly our overhead: parsing, segmentation, fuzzy
 * lookups, the engine adapter, highlighting and the query log.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { Database, Queryable } from '../lib/db/index.ts';

export interface CapturedHttp {
  method: string;
  path: string;
  body: string;
}

/** A proxy to `target` that records the requests passing while `recording` holds an array. */
export async function startRecordingProxy(target: string) {
  const upstream = new URL(target);
  const state: { recording: CapturedHttp[] | null } = { recording: null };
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      if (state.recording && /_search|_msearch/.test(req.url ?? '')) {
        state.recording.push({ method: req.method!, path: req.url!, body: body.toString('utf8') });
      }
      const forward = httpRequest(
        // A fresh connection each time: a pooled one the cluster closed while idle would hang up.
        { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent: false },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (error) => {
        console.error(`recording proxy: ${req.method} ${req.url}: ${error.message}`);
        res.destroy();
      });
      forward.end(body);
    });
  });
  // The client keeps connections open between phases minutes apart: do not close them under it.
  server.keepAliveTimeout = 10 * 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends captured requests straight to Elasticsearch, one after the other; resolves when all answered. */
export async function replayHttp(target: string, requests: CapturedHttp[]): Promise<void> {
  for (const r of requests) {
    const response = await fetch(new URL(r.path, target), {
      method: r.method,
      headers: { 'content-type': r.path.includes('_msearch') ? 'application/x-ndjson' : 'application/json' },
      body: r.body === '' ? undefined : r.body,
    });
    if (!response.ok) throw new Error(`peer ${r.path} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    await response.arrayBuffer();
  }
}

export interface CapturedSql {
  sql: string;
  params: readonly unknown[];
  transaction: boolean;
}

/** `db` with every statement recorded while `state.recording` holds an array. */
export function recordingDatabase(db: Database) {
  const state: { recording: CapturedSql[] | null } = { recording: null };
  const wrap = (inner: Queryable, transaction: boolean): Queryable => ({
    query(sql, params = []) {
      state.recording?.push({ sql, params, transaction });
      return inner.query(sql, params);
    },
  });
  const wrapped: Database = {
    engine: db.engine,
    query: wrap(db, false).query,
    transaction: (work) => db.transaction((tx) => work(wrap(tx, true))),
    close: () => db.close(),
  };
  return { db: wrapped, state };
}

/** Runs captured statements on a plain client, a transaction around those that had one. */
export async function replaySql(client: pg.Client, statements: CapturedSql[]): Promise<void> {
  let open = false;
  for (const s of statements) {
    if (s.transaction && !open) {
      await client.query('begin');
      open = true;
    } else if (!s.transaction && open) {
      await client.query('commit');
      open = false;
    }
    await client.query(s.sql, s.params as unknown[]);
  }
  if (open) await client.query('commit');
}
