import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../lib/db/index.ts';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKey } from '../../lib/identity/api-keys.ts';
import { grants, SCOPES } from '../../lib/identity/scopes.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { createJsonBodyReader } from '../json-body.ts';
import { identityOf, requireScope, type Authenticator } from '../middleware/auth.ts';
import { HttpProblem } from '../problem.ts';
import { TEXT_PATTERN } from '../schemas.ts';
import { parseInput } from '../validate.ts';

const tenantId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter or digit');
export const newApiKey = z.strictObject({
  name: z.string().max(100).regex(TEXT_PATTERN, 'must not be blank nor contain NUL characters').trim(),
  scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length),
  /** Another tenant than the caller's: only a key with the `tenants` scope. */
  tenant: tenantId.optional(),
});
export const apiKeyId = z.string().regex(/^[0-9a-f]{16}$/, 'an API key id: 16 hexadecimal characters');
export const apiKeyListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});
const cursorPayload = z.object({ createdAt: z.iso.datetime(), id: apiKeyId });

/** What a client sees of a key: never its secret, nor its hash. */
export const toApiKeyView = (key: ApiKey) => ({
  id: key.id,
  tenant: key.tenant,
  name: key.name,
  scopes: key.scopes,
  createdAt: key.createdAt,
  revokedAt: key.revokedAt,
});

/** `/v1/api-keys`: an administrator manages the keys of their tenant. */
export function createApiKeysRouter({ db, authenticator }: { db: Database; authenticator: Authenticator }): Router {
  const router = Router();
  router.use(requireScope('admin'));
  const readJson = createJsonBodyReader(16 * 1024, { code: 'E_BODY_TOO_LARGE', detail: 'the JSON body exceeds 16 KiB' });

  router.post('/', async (req, res) => {
    const input = parseInput(newApiKey, req.is('application/json') ? ((await readJson(req, res)) ?? {}) : {});
    const caller = identityOf(res);
    const tenant = input.tenant ?? caller.tenant;
    if (tenant !== caller.tenant && !grants(caller.scopes, 'tenants')) {
      throw new HttpProblem(403, 'Forbidden', 'this API key lacks the "tenants" scope needed to create keys for another tenant', {
        code: 'E_FORBIDDEN',
      });
    }
    // No key hands out more than it holds: `tenants` only from a key that has it.
    if (input.scopes.includes('tenants') && !grants(caller.scopes, 'tenants')) {
      throw new HttpProblem(403, 'Forbidden', 'only a key with the "tenants" scope can grant it', { code: 'E_FORBIDDEN' });
    }
    const { apiKey, key } = await createApiKey(db, { tenant, name: input.name, scopes: input.scopes });
    res.status(201).location(`/v1/api-keys/${apiKey.id}`).json({ ...toApiKeyView(apiKey), key });
  });

  router.get('/', async (req, res) => {
    const query = parseInput(apiKeyListQuery, req.query);
    const page = await listApiKeys(db, identityOf(res).tenant, {
      limit: query.limit,
      after: query.cursor ? decodeCursor(cursorPayload, query.cursor) : undefined,
    });
    res.json({ items: page.items.map(toApiKeyView), nextCursor: page.next ? encodeCursor(page.next) : null });
  });

  /** Revoking is immediate in this process and within seconds in the others (see createAuthenticator). */
  router.delete('/:id', async (req, res) => {
    const id = parseInput(apiKeyId, req.params.id, 'id');
    if (!(await revokeApiKey(db, identityOf(res).tenant, id))) {
      throw new HttpProblem(404, 'Not found', `no API key "${id}"`, { code: 'E_API_KEY_NOT_FOUND' });
    }
    authenticator.forget(id);
    res.status(204).end();
  });

  return router;
}
