/**
 * The HTTP layer around the routes: compression, conditional requests, the
 * response cache, rate limits and 405s. `applyHttpLayer` mounts the parts that
 * go before the routes; `createAllowedMethods` goes after them (see app.ts).
 */
import type { Express } from 'express';
import { createCompression, type CompressionOptions } from './compression.ts';
import { createConditionalRequests, type ConditionalOptions } from './conditional.ts';
import type { RateLimitOptions } from './rate-limit.ts';

export { createAllowedMethods } from './allowed-methods.ts';
export { createCompression } from './compression.ts';
export { createConditionalRequests, tenantDataPolicy, strongEtag, noneMatch } from './conditional.ts';
export { createRateLimit, defaultPolicies, isExpensiveRoute, type RateLimitPolicy } from './rate-limit.ts';
export { createResponseCache, responseKey, storableUnlessInProgress, type ResponseStore, type StoredResponse } from './response-cache.ts';

export interface HttpLayerOptions {
  compression?: CompressionOptions;
  conditional?: ConditionalOptions;
}

/**
 * Mounts compression and conditional requests on the whole app, first, and
 * replaces Express's weak ETag with ours. Rate limits and the response cache
 * need the caller, so they are mounted after authentication.
 */
export function applyHttpLayer(app: Express, options: HttpLayerOptions = {}): void {
  app.set('etag', false);
  app.use(createCompression(options.compression));
  app.use(createConditionalRequests(options.conditional));
}

export type { RateLimitOptions };
