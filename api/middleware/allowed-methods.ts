/**
 * 405 for a method a known path does not declare (TRACE, PUT on /v1/documents…),
 * with `Allow`, as a problem; OPTIONS answers 204 with `Allow`. The paths and
 * their methods come from the OpenAPI document, so the contract and the answers
 * cannot drift apart. Mount it after the routes, before the 404 handler.
 */
import type { RequestHandler } from 'express';
import { HttpProblem } from '../problem.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface KnownPath {
  pattern: RegExp;
  allow: string;
}

/** `/v1/documents/{id}` → a pattern where `{id}` is one path segment. */
const toPattern = (template: string) =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}/?$`);

/** Methods per path from an OpenAPI `paths` object; HEAD goes wherever GET does, OPTIONS everywhere. */
export function knownPaths(paths: Record<string, Record<string, unknown>>): KnownPath[] {
  return Object.entries(paths).map(([template, operations]) => {
    const methods = Object.keys(operations).filter((m) => METHODS.includes(m)).map((m) => m.toUpperCase());
    if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
    if (!methods.includes('OPTIONS')) methods.push('OPTIONS');
    return { pattern: toPattern(template), allow: methods.join(', ') };
  });
}

export function createAllowedMethods(paths: Record<string, Record<string, unknown>>): RequestHandler {
  const known = knownPaths(paths);
  return (req, res, next) => {
    const path = known.find((k) => k.pattern.test(req.path));
    if (!path) return next();
    res.setHeader('Allow', path.allow);
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next(new HttpProblem(405, 'Method not allowed', `${req.method} is not allowed on ${req.path}; allowed: ${path.allow}`, { code: 'E_METHOD_NOT_ALLOWED' }));
  };
}
