/**
 * Conditional GETs: a strong ETag on every successful GET/HEAD answer (a hash of
 * the exact body bytes), `If-None-Match` → 304 without a body, and a
 * `Cache-Control` chosen per route. Express's own weak ETag is turned off by
 * `applyHttpLayer`, so there is one validator and it is this one.
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';

/** How clients and shared caches may keep an answer; `undefined` leaves the route's own header. */
export type CachePolicy = (req: Request, res: Response, body: Buffer) => string | undefined;

/**
 * Tenant data: any cache may keep it only for this caller (`private`) and must
 * ask again each time (`no-cache`), which the ETag makes a cheap 304.
 */
export const tenantDataPolicy: CachePolicy = () => 'private, no-cache';

/** The strong validator of exactly these bytes. */
export function strongEtag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** One entity tag of a list, or the literal `*`; anything else (a malformed element) is skipped. */
const ETAG_LIST_ITEM = /\s*(\*|(?:W\/)?"[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/gy;

/**
 * RFC 9110 §13.1.2: `If-None-Match` fails (the client's copy is current) when it
 * is `*`, or when any listed tag matches by *weak* comparison (the `W/` prefix is
 * ignored). A malformed header matches nothing, so the client gets a full answer.
 */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header || header.length > 8192) return true;
  const opaque = etag.replace(/^W\//, '');
  ETAG_LIST_ITEM.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = ETAG_LIST_ITEM.exec(header)) !== null) {
    const tag = match[1]!;
    if (tag === '*' || tag.replace(/^W\//, '') === opaque) return false;
    if (ETAG_LIST_ITEM.lastIndex >= header.length) break;
  }
  return true;
}

export interface ConditionalOptions {
  /** Cache-Control for successful GET/HEAD answers (default `tenantDataPolicy`). */
  cachePolicy?: CachePolicy;
}

/**
 * Wraps `res.send` of GET and HEAD requests: a 2xx body gets its ETag and
 * Cache-Control, and becomes a 304 when the client already holds it.
 */
export function createConditionalRequests(options: ConditionalOptions = {}): RequestHandler {
  const cachePolicy = options.cachePolicy ?? tenantDataPolicy;
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      res.send = send; // express's res.json calls send again with a string; answer once
      if (res.statusCode < 200 || res.statusCode >= 300 || body === undefined || body === null) return send(body);
      if (typeof body !== 'string' && !Buffer.isBuffer(body)) return send(body); // objects come back as JSON text
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
      // A replayed answer carries the ETag computed when it was stored (of these same bytes).
      const given = res.getHeader('ETag');
      const etag = typeof given === 'string' ? given : strongEtag(bytes);
      res.setHeader('ETag', etag);
      const policy = res.getHeader('Cache-Control') === undefined ? cachePolicy(req, res, bytes) : undefined;
      if (policy) res.setHeader('Cache-Control', policy);
      if (!noneMatch(req.get('if-none-match'), etag)) return answerNotModified(res);
      return send(body);
    };
    next();
  };
}

/** 304: validators and caching headers stay, the body and what describes it go. */
export function answerNotModified(res: Response): Response {
  for (const header of ['Content-Type', 'Content-Length', 'Content-Encoding', 'Transfer-Encoding']) res.removeHeader(header);
  res.statusCode = 304;
  res.end();
  return res;
}
