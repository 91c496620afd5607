import { z } from 'zod';
import { CURSOR_PATTERN, MAX_CURSOR_LENGTH } from './cursor.ts';
import { apiKeyId, newApiKey } from './routes/api-keys.ts';
import {
  knowledgeBaseChanges,
  knowledgeBaseDeletionView,
  knowledgeBaseListQuery,
  knowledgeBasePageView,
  knowledgeBaseView,
  newKnowledgeBase,
  problemView,
  semanticQuery,
  semanticResultsView,
  TEXT_PATTERN,
} from './schemas.ts';
import { documentPaths } from './openapi/documents.ts';
import { erpPaths } from './openapi/erp.ts';
import { analyticsPaths } from './openapi/analytics.ts';
import { analyticsSeriesPaths } from './openapi/analytics-series.ts';
import { analyticsPivotPaths } from './openapi/analytics-pivot.ts';
import { reportPaths } from './openapi/reports.ts';
import { schedulePaths } from './openapi/schedules.ts';
import { searchPaths } from './openapi/search.ts';
import { searchSyncPaths } from './openapi/search-sync.ts';
import { kbSyncPaths } from './openapi/kb-sync.ts';
import { emailPaths } from './openapi/emails.ts';
import { backupPaths } from './openapi/backups.ts';
import { apiKeyIdParameter, jsonBody, kbIdParameter, notModified, problem, queryParameters, responses, schemaOf, json, type JsonSchema } from './openapi/parts.ts';

const newApiKeySchema = schemaOf(newApiKey, 'input');
// The name is free text like any other (not blank, no NUL): see TEXT_PATTERN.
(newApiKeySchema.properties as Record<string, JsonSchema>).name = { type: 'string', maxLength: 100, pattern: TEXT_PATTERN.source };
const knowledgeBaseChangesSchema = { ...schemaOf(knowledgeBaseChanges, 'input'), minProperties: 1 };
const apiKeyView = z.object({
  id: apiKeyId,
  tenant: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'AI Stack jobs API',
    version: '0.2.0',
    description:
      'Starts and tracks Temporal workflows; serves documents and search. Errors are RFC 9457 problems. Every /v1 request carries an ' +
      'API key. GET answers carry a strong ETag (send it back in If-None-Match for a 304) and are compressed (br, gzip) above 1 KiB. ' +
      'Rate limits are announced in RateLimit-Policy and RateLimit; a 429 says when to retry in Retry-After. An undeclared method on a ' +
      'known path is a 405 with Allow. Lists answer { items, nextCursor }: pass nextCursor back as `cursor`, unchanged.',
  },
  components: {
    schemas: { Problem: schemaOf(problemView) },
    securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
  },
  paths: {
    ...documentPaths,
    ...erpPaths,
    ...analyticsPaths,
    ...analyticsSeriesPaths,
    ...analyticsPivotPaths,
    ...reportPaths,
    ...schedulePaths,
    ...emailPaths,
    '/v1/search/semantic': {
      get: {
        summary: 'Nearest chunks by meaning',
        parameters: queryParameters(semanticQuery),
        responses: responses({
          '200': { description: 'Results, best first', ...json(semanticResultsView) },
          ...notModified,
          '400': problem('Invalid parameter'),
          '404': problem('No such knowledge base'),
        }),
      },
    },
    // After /v1/search/semantic: `{index}` would match it too (see openapi/search.ts).
    ...searchPaths,
    '/v1/knowledge-bases': {
      post: {
        summary: 'Create a knowledge base (the id is generated from the name when not given)',
        requestBody: jsonBody(schemaOf(newKnowledgeBase, 'input')),
        responses: responses({
          '201': { description: 'Created', ...json(knowledgeBaseView) },
          '400': problem('Invalid field'),
          '409': problem('The id is taken'),
          '413': problem('Body over 64 KiB'),
          '415': problem('Not UTF-8 JSON'),
        }),
      },
      get: {
        summary: 'List knowledge bases by id, with cursor pagination',
        parameters: queryParameters(knowledgeBaseListQuery),
        responses: responses({
          '200': { description: 'A page', ...json(knowledgeBasePageView) },
          ...notModified,
          '400': problem('Invalid parameter, or a cursor this API did not return'),
        }),
      },
    },
    '/v1/knowledge-bases/{id}': {
      get: {
        summary: 'A knowledge base with its document count',
        parameters: [kbIdParameter],
        responses: responses({
          '200': { description: 'The knowledge base', ...json(knowledgeBaseView) },
          ...notModified,
          '400': problem('Not a knowledge base id'),
          '404': problem('No such knowledge base'),
        }),
      },
      patch: {
        summary: 'Change name, description or default language (null clears the latter two)',
        parameters: [kbIdParameter],
        requestBody: jsonBody(knowledgeBaseChangesSchema),
        responses: responses({
          '200': { description: 'Changed', ...json(knowledgeBaseView) },
          '400': problem('Invalid field'),
          '404': problem('No such knowledge base'),
          '409': problem('Being deleted'),
          '413': problem('Body over 64 KiB'),
          '415': problem('Not UTF-8 JSON'),
        }),
      },
      delete: {
        summary: 'Delete a knowledge base with all its documents, as a workflow; uploads into it are refused from now on',
        parameters: [kbIdParameter],
        responses: responses({
          '202': { description: 'Deletion started (or already running)', ...json(knowledgeBaseDeletionView) },
          '400': problem('Not a knowledge base id'),
          '404': problem('No such knowledge base'),
          '409': problem('The default knowledge base cannot be deleted'),
        }),
      },
    },
    '/v1/api-keys': {
      post: {
        summary: 'Create an API key (admin); the key itself is shown once, in this answer',
        requestBody: jsonBody(newApiKeySchema),
        responses: responses({
          '201': { description: 'Created', ...json({ ...schemaOf(apiKeyView), properties: { ...(schemaOf(apiKeyView).properties as object), key: { type: 'string' } } }) },
          '400': problem('Invalid field'),
          '413': problem('Body over 16 KiB'),
          '415': problem('Not UTF-8 JSON'),
        }),
      },
      get: {
        summary: 'List the API keys of the caller’s tenant (admin), with cursor pagination',
        parameters: [
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          {
            name: 'cursor',
            in: 'query',
            required: false,
            description: 'opaque and signed: the nextCursor of the previous page, as given',
            // An empty cursor reads as none here.
            schema: { type: 'string', maxLength: MAX_CURSOR_LENGTH, pattern: `^$|${CURSOR_PATTERN}` },
          },
        ],
        responses: responses({
          '200': { description: 'A page', ...json(z.object({ items: z.array(apiKeyView), nextCursor: z.string().nullable() })) },
          ...notModified,
          '400': problem('Invalid parameter, or a cursor this API did not return'),
        }),
      },
    },
    '/v1/api-keys/{id}': {
      delete: {
        summary: 'Revoke an API key (admin): at once on this API process, within seconds on the others',
        parameters: [apiKeyIdParameter],
        responses: responses({ '204': { description: 'Revoked' }, '400': problem('Not an API key id'), '404': problem('No such API key') }),
      },
    },
    '/v1/admin/cache': {
      get: {
        summary: 'The cache’s counters per tier and its busiest keys (operator only: `tenants` scope)',
        responses: responses({ '200': { description: 'Metrics', ...json({ type: 'object' }) } }),
      },
    },
    ...searchSyncPaths,
    ...kbSyncPaths,
    ...backupPaths,
    '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'Up', ...json({ type: 'object' }) } } } },
    '/readyz': {
      get: {
        summary: 'Readiness: Temporal, database, model',
        security: [],
        responses: { '200': { description: 'Ready', ...json({ type: 'object' }) }, '503': { description: 'Not ready', ...json({ type: 'object' }) } },
      },
    },
  },
  security: [{ apiKey: [] }],
};

