/**
 * What an API key may do. `admin` is everything within its tenant, including
 * managing the tenant's keys; `tenants` (the operator's bootstrap key) may also
 * create keys for other tenants, which is how a new tenant starts. `erp` imports
 * into the ERP tables (the default tenant's only). `email` sends mail and manages
 * the tenant's email templates. Platform-wide operations (backups, restores and
 * their Schedules) need `tenants`: they touch every tenant's data.
 */
export const SCOPES = ['documents:read', 'documents:write', 'search', 'reports', 'erp', 'email', 'admin', 'tenants'] as const;
export type Scope = (typeof SCOPES)[number];

/** Whether a key holding `held` may act under `needed`. */
export function grants(held: readonly string[], needed: Scope): boolean {
  return held.includes(needed) || (needed !== 'tenants' && held.includes('admin'));
}
