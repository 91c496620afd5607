import { z } from 'zod';
import { CURSOR_PATTERN, MAX_CURSOR_LENGTH } from './cursor.ts';
import { apiKeyId, newApiKey } from './routes/api-keys.ts';
import { lookupRequest, MAX_BATCH_UPLOADS } from './routes/documents-batch.ts';
import {
  acceptedView,
  documentPageView,
  documentView,
  jsonUpload,
  knowledgeBaseChanges,
  knowledgeBaseDeletionView,
  knowledgeBaseListQuery,
  knowledgeBasePageView,
  knowledgeBaseView,
  listQuery,
  newKnowledgeBase,
  problemView,
  semanticQuery,
  semanticResultsView,
  TEXT_PATTERN,
} from './schemas.ts';

type JsonSchema = Record<string, unknown>;
const schemaOf = (schema: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io }) as JsonSchema;
  return rest;
};
const json = (schema: z.ZodType | JsonSchema) => ({
  content: { 'application/json': { schema: schema instanceof z.ZodType ? schemaOf(schema) : schema } },
});
const problemRef = { $ref: '#/components/schemas/Problem' };
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemRef } } });

/** Answers any /v1 operation can give, whatever it does. */
const everyV1 = {
  '401': problem('No valid API key (Authorization: Bearer <key>, or X-API-Key)'),
  '403': problem('The API key lacks the scope this operation needs'),
  '429': { ...problem('A rate-limit budget is spent; see Retry-After, RateLimit and RateLimit-Policy'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
  '503': problem('A service it needs (the workflow engine, the rate-limit store) is unavailable; retry later'),
};
/** GETs answer 304 to a matching If-None-Match (ETag). */
const notModified = { '304': { description: 'Not modified: the ETag in If-None-Match is current' } };
const responses = (own: Record<string, unknown>) => ({ ...own, ...everyV1 });

/** Query parameters straight from the zod schema that validates them. */
const queryParameters = (schema: z.ZodObject) =>
  Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: !(field as z.ZodType).safeParse(undefined).success,
    schema: schemaOf(field as z.ZodType, 'input'),
    ...(name === 'cursor' ? { description: 'opaque and signed: the nextCursor of the previous page, as given' } : {}),
  }));
const pathId = (pattern: string, description: string) => ({ name: 'id', in: 'path', required: true, description, schema: { type: 'string', pattern } });
const idParameter = pathId('^[0-9a-f]{64}$', 'a document id: 64 lower-case hex characters');
const kbIdParameter = pathId('^[a-z0-9][a-z0-9-]{0,62}$', 'a knowledge base id');
const apiKeyIdParameter = pathId('^[0-9a-f]{16}$', 'an API key id: 16 lower-case hex characters');
const jsonBody = (schema: JsonSchema) => ({ required: true, content: { 'application/json': { schema } } });

/** File types the platform reads; the type is sniffed from the bytes, whatever the part or file name says. */
export const ACCEPTED_DOCUMENT_TYPES = [
  'text/plain',
  'text/markdown',
  'text/html',
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'image/png',
  'image/jpeg',
  'image/tiff',
];
const acceptedTypes = 'txt, md, html, pdf, docx, and scanned pages as png, jpeg or tiff (read by OCR)';

const uploadJson = schemaOf(jsonUpload, 'input');
const uploadProperties = uploadJson.properties as Record<string, JsonSchema>;
const TAG_LIST = '^ *[\\p{L}\\p{N}][\\p{L}\\p{N} ._:/-]{0,63}( *, *[\\p{L}\\p{N}][\\p{L}\\p{N} ._:/-]{0,63}){0,31} *$';
const JSON_SCALAR = '("[a-z0-9 ]{0,40}"|-?(0|[1-9][0-9]{0,8})|true|false|null)';
const FLAT_JSON_OBJECT = `^\\{( *"[a-z][a-z0-9]{0,20}": *${JSON_SCALAR}( *, *"[a-z][a-z0-9]{0,20}": *${JSON_SCALAR}){0,20})? *\\}$`;
const multipartUpload = {
  type: 'object',
  required: ['file'],
  additionalProperties: false,
  properties: {
    file: { type: 'string', format: 'binary', description: `the document: ${acceptedTypes}` },
    title: uploadProperties.title,
    source: uploadProperties.source,
    tags: { type: 'string', maxLength: 20 * 1024, pattern: TAG_LIST, description: 'comma-separated tags' },
    knowledgeBase: uploadProperties.knowledgeBase,
    lang: uploadProperties.lang,
    metadata: {
      type: 'string',
      maxLength: 16 * 1024,
      // Any JSON object is accepted (100 keys, 5 levels, 16 KiB); the pattern spells the flat form, which a regex can.
      pattern: FLAT_JSON_OBJECT,
      description: 'a JSON object: at most 100 keys, 5 levels deep, 16 KiB',
    },
  },
};
const newApiKeySchema = schemaOf(newApiKey, 'input');
// The name is free text like any other (not blank, no NUL): see TEXT_PATTERN.
(newApiKeySchema.properties as Record<string, JsonSchema>).name = { type: 'string', maxLength: 100, pattern: TEXT_PATTERN.source };
const knowledgeBaseChangesSchema = { ...schemaOf(knowledgeBaseChanges, 'input'), minProperties: 1 };
const deletionView = z.object({ id: z.string(), workflowId: z.string(), status: z.literal('deleting') });
const apiKeyView = z.object({
  id: apiKeyId,
  tenant: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
const batchResults = {
  type: 'object',
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'status'],
        properties: {
          index: { type: 'integer' },
          status: { type: 'integer', description: 'what this upload alone would have answered' },
          document: schemaOf(acceptedView),
          problem: { type: 'object', description: 'why this item was refused (an RFC 9457 problem without type and instance)' },
        },
      },
    },
  },
};
const lookupResults = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'found', 'document'],
        properties: { id: { type: 'string' }, found: { type: 'boolean' }, document: { anyOf: [schemaOf(documentView), { type: 'null' }] } },
      },
    },
  },
};

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
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
    '/v1/documents': {
      post: {
        summary: `Upload a document (${acceptedTypes}) for ingestion, into a knowledge base (\`default\` unless given)`,
        description:
          'multipart/form-data streams any size up to MAX_UPLOAD_SIZE; application/json carries the bytes as base64 in a body up to ' +
          'MAX_JSON_UPLOAD_SIZE. The type is sniffed from the bytes; the file name is a label only. Front matter fills title, tags, ' +
          'lang and metadata where the upload left them unset. Bytes of another type are a 415, an empty file a 422.',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': { schema: multipartUpload, encoding: { file: { contentType: ACCEPTED_DOCUMENT_TYPES.join(', ') } } },
            'application/json': { schema: uploadJson },
          },
        },
        responses: responses({
          '202': { description: 'Accepted; ingestion started', ...json(acceptedView) },
          '200': { description: 'The same bytes were uploaded before: the existing document', ...json(acceptedView) },
          '400': problem('Invalid field'),
          '404': problem('No such knowledge base'),
          '409': problem('The knowledge base is being deleted'),
          '413': problem('Larger than the upload limit'),
          '415': problem('Neither multipart nor JSON, or a type the platform does not read'),
          '422': problem('Empty document'),
        }),
      },
      get: {
        summary: 'List documents, newest first, with cursor pagination',
        parameters: queryParameters(listQuery),
        responses: responses({
          '200': { description: 'A page', ...json(documentPageView) },
          ...notModified,
          '400': problem('Invalid parameter, or a cursor this API did not return'),
          '404': problem('No such knowledge base'),
        }),
      },
    },
    '/v1/documents/batch': {
      post: {
        summary: `Upload up to ${MAX_BATCH_UPLOADS} documents as JSON in one request, with a result per item`,
        requestBody: jsonBody({
          type: 'object',
          required: ['documents'],
          additionalProperties: false,
          properties: {
            documents: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_BATCH_UPLOADS,
              // Each item is checked on its own and a bad one is refused in its result, so any value is a valid item.
              items: { description: 'an upload as POST /v1/documents takes it in application/json', examples: [{ contentBase64: 'aGVsbG8=' }] },
            },
          },
        }),
        responses: responses({
          '200': { description: 'One result per document, in order', ...json(batchResults) },
          '400': problem('Not a batch'),
          '413': problem('Larger than the upload limit in all'),
          '415': problem('Not UTF-8 JSON'),
        }),
      },
    },
    '/v1/documents/lookup': {
      post: {
        summary: 'Documents by id, in the order asked (another tenant’s id reads as not found)',
        requestBody: jsonBody(schemaOf(lookupRequest, 'input')),
        responses: responses({
          '200': { description: 'One item per id', ...json(lookupResults) },
          '400': problem('Invalid ids'),
          '413': problem('Body over 64 KiB'),
          '415': problem('Not UTF-8 JSON'),
        }),
      },
    },
    '/v1/documents/{id}': {
      get: {
        summary: 'A document and where its ingestion stands',
        parameters: [idParameter],
        responses: responses({
          '200': { description: 'The document', ...json(documentView) },
          ...notModified,
          '400': problem('Not a document id'),
          '404': problem('No such document'),
        }),
      },
      delete: {
        summary: 'Cancel its ingestion and remove the document, chunks, vectors and index entries, as a workflow',
        parameters: [idParameter],
        responses: responses({
          '202': { description: 'Removal started; the document shows `deleting` until it is gone', ...json(deletionView) },
          '400': problem('Not a document id'),
          '404': problem('No such document'),
          '409': problem('Being deleted already'),
        }),
      },
    },
    '/v1/documents/{id}/reingest': {
      post: {
        summary: 'Run ingestion again for a finished document',
        parameters: [idParameter],
        responses: responses({
          '202': { description: 'Started', ...json(acceptedView) },
          '400': problem('Not a document id'),
          '404': problem('No such document'),
          '409': problem('Ingestion is running, or the document is being deleted'),
        }),
      },
    },
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

/** Kept for callers that check a text field the way the API does. */
export { TEXT_PATTERN };
