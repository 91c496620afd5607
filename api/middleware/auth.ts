/**
 * Who is calling. Every `/v1` request carries an API key (`Authorization: Bearer
 * <key>`, or `X-API-Key`), and its tenant scopes all it reads and writes. A
 * missing, malformed, unknown or revoked key is one and the same 401, and a key
 * without the scope a route needs is a 403 decided before anything is looked up,
 * so neither answer says whether a resource exists. `AUTH=off` is open local
 * mode: every request is the default tenant's administrator.
 */
import type { RequestHandler, Response } from 'express';
import { LRUCache } from 'lru-cache';
import type { Queryable } from '../../lib/db/index.ts';
import { verifyApiKey, type Identity } from '../../lib/identity/api-keys.ts';
import { grants, SCOPES, type Scope } from '../../lib/identity/scopes.ts';
import { DEFAULT_TENANT } from '../../lib/knowledge-bases/repository.ts';
import { HttpProblem } from '../problem.ts';

const openIdentity: Identity = { tenant: DEFAULT_TENANT, scopes: [...SCOPES] };

/** The caller of this request, as `authenticate` found it. */
export function identityOf(res: Response): Identity {
  const identity = res.locals.identity as Identity | undefined;
  if (!identity) throw new Error('identityOf: the route is not behind authenticate()');
  return identity;
}

export const tenantOf = (res: Response) => identityOf(res).tenant;

export interface Authenticator {
  authenticate: RequestHandler;
  /** Drops what this process remembers of a key (it was revoked). */
  forget(keyId: string): void;
}

/**
 * Verified keys are remembered for `rememberMs` (default 10 s), so a request
 * costs no query; a key revoked through another API process stops working there
 * within that time, through this one at once.
 */
export function createAuthenticator(options: { db: Queryable; enabled: boolean; rememberMs?: number }): Authenticator {
  const remembered = new LRUCache<string, Identity>({ max: 10_000, ttl: options.rememberMs ?? 10_000 });
  const unauthenticated = (res: Response) => {
    res.setHeader('WWW-Authenticate', 'Bearer');
    return new HttpProblem(401, 'Unauthorized', 'a valid API key is required: Authorization: Bearer <key>', { code: 'E_UNAUTHENTICATED' });
  };
  return {
    authenticate: async (req, res, next) => {
      if (!options.enabled) return next(identify(res, openIdentity));
      const header = req.get('authorization');
      const key = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : req.get('x-api-key')?.trim();
      if (!key || key.length > 200) throw unauthenticated(res);
      let identity = remembered.get(key);
      if (!identity) {
        identity = await verifyApiKey(options.db, key);
        if (!identity) throw unauthenticated(res);
        remembered.set(key, identity);
      }
      next(identify(res, identity));
    },
    forget(keyId) {
      for (const [key, identity] of remembered.entries()) if (identity.keyId === keyId) remembered.delete(key);
    },
  };
}

/** Records the caller for the routes, the rate limits (`apiKeyId`) and the response cache (`tenant`). */
function identify(res: Response, identity: Identity): undefined {
  res.locals.identity = identity;
  res.locals.tenant = identity.tenant;
  res.locals.apiKeyId = identity.keyId;
  return undefined;
}

/** Lets the request through only when its key holds `scope` (or `admin`). */
export function requireScope(scope: Scope): RequestHandler {
  return (_req, res, next) => {
    if (!grants(identityOf(res).scopes, scope)) {
      throw new HttpProblem(403, 'Forbidden', `this API key lacks the "${scope}" scope`, { code: 'E_FORBIDDEN' });
    }
    next();
  };
}
