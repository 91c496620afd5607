/**
 * Opaque, signed pagination cursors. A cursor is `<base64url JSON>.<base64url
 * HMAC-SHA256>` (43 characters of tag): clients cannot read positions into it
 * nor forge one, and a tampered, truncated or foreign cursor is one 400 naming
 * `cursor`, never a 500 or a silently wrong page.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { HttpProblem } from './problem.ts';

/** Longest cursor a client may send (lists declare it as `maxLength`). */
export const MAX_CURSOR_LENGTH = 512;
/** What the OpenAPI document says a cursor looks like. */
export const CURSOR_PATTERN = '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$';

export interface CursorCodec {
  encode(payload: unknown): string;
  /** The payload the API wrote, checked by `schema`; anything else throws a 400 problem naming `cursor`. */
  decode<S extends z.ZodType>(schema: S, cursor: string): z.infer<S>;
}

const foreign = () => HttpProblem.invalid([{ field: 'cursor', detail: 'not a cursor this API returned; use nextCursor as given' }]);

/**
 * A codec whose cursors only `secret` can sign. Processes that share the secret
 * accept each other's cursors; a new secret retires every cursor in circulation.
 */
export function createCursorCodec(secret: string | Buffer): CursorCodec {
  if (Buffer.byteLength(secret) < 16) throw new Error('createCursorCodec: secret must be at least 16 bytes');
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest();
  return {
    encode(payload) {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${body}.${sign(body).toString('base64url')}`;
    },
    decode(schema, cursor) {
      if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH) throw foreign();
      const dot = cursor.indexOf('.');
      if (dot <= 0) throw foreign();
      const body = cursor.slice(0, dot);
      // Compared as text: Node's base64 decoder skips characters it cannot read, so `<tag>!` would decode equal.
      const tag = Buffer.from(cursor.slice(dot + 1));
      const expected = Buffer.from(sign(body).toString('base64url'));
      // Length first: timingSafeEqual throws on unequal lengths, and a length says nothing secret.
      if (tag.length !== expected.length || !timingSafeEqual(tag, expected)) throw foreign();
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        throw foreign(); // signed by us but unreadable: only a changed secret format could do this
      }
      const result = schema.safeParse(parsed);
      if (!result.success) throw foreign();
      return result.data;
    },
  };
}

/**
 * The process-wide codec used by `encodeCursor` / `decodeCursor`: a random secret per
 * process until `startApi` sets the configured `CURSOR_SECRET` (shared between API
 * processes, so a cursor from one works on another).
 */
let processCodec: CursorCodec = createCursorCodec(randomBytes(32));

/** Replaces the process-wide codec (at start, from configuration). */
export function useCursorSecret(secret: string | Buffer): void {
  processCodec = createCursorCodec(secret);
}

/** Signs a page position with the process-wide codec. */
export function encodeCursor(payload: unknown): string {
  return processCodec.encode(payload);
}

/** Reads a cursor signed by the process-wide codec; anything else is a 400 naming `cursor`. */
export function decodeCursor<S extends z.ZodType>(schema: S, cursor: string): z.infer<S> {
  return processCodec.decode(schema, cursor);
}
