/**
 * An HTTP response cache for GET endpoints. An answer is stored under the
 * method, route path, normalized query and tenant (so no tenant is ever served
 * another's answer), with the tags of what it was built from; whatever changes
 * that data invalidates the tags. Only 200 answers the route marks as cacheable
 * are stored; everything else passes through untouched.
 */
import type { Request, RequestHandler, Response } from 'express';
import { strongEtag } from './conditional.ts';

/**
 * The store this depends on. `lib/cache`'s `Cache` fits it as is:
 * `getOrSet(key, loader, { ttl, tags })` runs `loader` once per key across
 * callers (and processes, with Redis) and keeps its value; `invalidateTags`
 * drops every entry carrying one of the tags. A loader that resolves
 * `undefined` stores nothing.
 */
export interface ResponseStore {
  getOrSet<T>(key: string, loader: () => Promise<T | undefined>, options: { ttl: number | string; tags: string[] }): Promise<T | undefined>;
  invalidateTags(tags: readonly string[]): Promise<void>;
}

/** What is kept of an answer: enough to send it again byte for byte. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  /** The body as base64 (JSON-safe for an L2 tier). */
  body: string;
}

export interface ResponseCacheOptions {
  store: ResponseStore;
  /** How long an answer is kept, in ms (default 30 s): the tags drop it sooner on a change. */
  ttlMs?: number;
  /** Tags of the data this request's answer is built from; no tags, not cached (a change could never drop it). */
  tagsOf: (req: Request, res: Response) => string[];
  /** Whether this answer may be stored (default: always); e.g. not a document still being ingested. */
  storable?: (req: Request, res: Response, body: Buffer) => boolean;
}

/** Statuses of a document still changing: its answer would be stale at the next step, so it is never stored. */
const IN_PROGRESS = new Set(['queued', 'running', 'deleting']);

/**
 * `storable` for document answers: a document (or any item of a page) still in
 * progress is not stored, so no client is served a progress snapshot as final.
 */
export function storableUnlessInProgress(_req: Request, _res: Response, body: Buffer): boolean {
  try {
    const value = JSON.parse(body.toString('utf8')) as { status?: unknown; items?: Array<{ status?: unknown }> };
    const statuses = [value.status, ...(Array.isArray(value.items) ? value.items.map((i) => i?.status) : [])];
    return !statuses.some((s) => typeof s === 'string' && IN_PROGRESS.has(s));
  } catch {
    return false;
  }
}

/** Headers that describe the body; the rest (rate limits, request ids) belong to each request. */
const KEPT_HEADERS = ['content-type', 'content-language', 'location', 'link', 'etag'];

/** The request's tenant as authentication left it; unauthenticated answers share `default`. */
export const tenantOfRequest = (res: Response): string => (typeof res.locals.tenant === 'string' ? res.locals.tenant : 'default');

/** Query parameters sorted by name (and values in order), so `?a=1&b=2` and `?b=2&a=1` are one entry. */
export function normalizedQuery(url: string): string {
  const search = url.indexOf('?');
  if (search < 0) return '';
  const params = new URLSearchParams(url.slice(search + 1));
  params.sort();
  return params.toString();
}

/**
 * The caller's scopes as authentication recorded them: part of the key because
 * the cache runs before the routes' scope checks, so a key without the scope
 * misses here and meets the route's 403 (never stored) instead of a stored 200.
 */
const scopesOf = (res: Response): string => {
  const scopes = (res.locals.identity as { scopes?: unknown } | undefined)?.scopes;
  return Array.isArray(scopes) ? [...scopes].map(String).sort().join(' ') : '';
};

/** The key of this request's answer: method, path, normalized query, tenant and scopes, each part unambiguous. */
export function responseKey(req: Request, res: Response): string {
  const path = (req.baseUrl + req.path).replace(/\/+$/, '') || '/';
  const parts = [req.method === 'HEAD' ? 'GET' : req.method, path, normalizedQuery(req.originalUrl), tenantOfRequest(res), scopesOf(res)];
  return `http:${JSON.stringify(parts)}`;
}

/** Decoded bodies of the entries an in-memory tier hands out as the same object: a hit decodes once. */
const decoded = new WeakMap<StoredResponse, Buffer>();

/** Answers from what was stored, with the ETag computed when it was stored; HEAD gets the headers only. */
function replay(res: Response, stored: StoredResponse): void {
  let body = decoded.get(stored);
  if (!body) {
    body = Buffer.from(stored.body, 'base64');
    decoded.set(stored, body);
  }
  res.status(stored.status);
  for (const [name, value] of Object.entries(stored.headers)) res.setHeader(name, value);
  res.setHeader('X-Cache', 'hit');
  res.send(body);
}

/**
 * The middleware. Mount it after authentication (it needs the tenant) and after
 * the conditional-request middleware, so a replayed answer still gets its ETag
 * and 304s.
 */
export function createResponseCache(options: ResponseCacheOptions): RequestHandler {
  const ttl = options.ttlMs ?? 30_000;
  if (!Number.isFinite(ttl) || ttl <= 0) throw new Error('createResponseCache: ttlMs must be a positive number');
  const storable = options.storable ?? (() => true);
  return async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const tags = options.tagsOf(req, res);
    if (tags.length === 0) return next();
    let ranHere = false;
    // The route runs inside the loader; its answer reaches this client directly, and the store keeps a copy if fit.
    const loader = () =>
      new Promise<StoredResponse | undefined>((resolve) => {
        ranHere = true;
        const send = res.send.bind(res);
        res.send = (body?: unknown) => {
          res.send = send;
          const fit = res.statusCode === 200 && (typeof body === 'string' || Buffer.isBuffer(body));
          if (fit) {
            const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body as string, 'utf8');
            if (storable(req, res, bytes)) {
              const headers: Record<string, string> = {};
              for (const name of KEPT_HEADERS) {
                const value = res.getHeader(name);
                if (value !== undefined) headers[name] = String(value);
              }
              headers.etag ??= strongEtag(bytes); // replays skip hashing the same bytes again
              resolve({ status: 200, headers, body: bytes.toString('base64') });
            } else resolve(undefined);
          } else resolve(undefined);
          res.setHeader('X-Cache', 'miss');
          return send(body);
        };
        res.once('close', () => resolve(undefined)); // errors and aborted requests store nothing
        next();
      });
    let stored: StoredResponse | undefined;
    try {
      stored = await options.store.getOrSet(responseKey(req, res), loader, { ttl, tags });
    } catch (error) {
      // The store failed: the answer (if the route ran) has been sent; else the route answers without a cache.
      if (!ranHere) return next();
      console.warn(`response cache: ${(error as Error).message}`);
      return;
    }
    if (ranHere) return;
    // Another caller's load (or an earlier one) answered for us; if nothing was storable, run the route ourselves.
    if (stored) replay(res, stored);
    else next();
  };
}
