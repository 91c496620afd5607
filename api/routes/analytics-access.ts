import type { RequestHandler } from 'express';
import { DEFAULT_TENANT } from '../../lib/knowledge-bases/repository.ts';
import { requireScope, tenantOf } from '../middleware/auth.ts';
import { HttpProblem } from '../problem.ts';

const onlyDefaultTenant: RequestHandler = (_req, res, next) => {
  if (tenantOf(res) !== DEFAULT_TENANT) throw new HttpProblem(404, 'Not found', 'no ERP for this tenant', { code: 'E_NOT_FOUND' });
  next();
};

/**
 * Analytics and reports read the ERP, which belongs to the deployment's own
 * company (the default tenant): a key needs the `reports` scope, and another
 * tenant's key finds nothing here (404, as for anything it cannot see).
 */
export const analyticsAccess: RequestHandler[] = [requireScope('reports'), onlyDefaultTenant];
