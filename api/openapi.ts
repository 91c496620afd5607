import { z } from 'zod';
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
} from './schemas.ts';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'output' }) } } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: z.toJSONSchema(problemView) } },
});
/** Query parameters straight from the zod schema that validates them. */
const queryParameters = (schema: z.ZodObject) =>
  Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: !(field as z.ZodType).safeParse(undefined).success,
    schema: z.toJSONSchema(field as z.ZodType, { io: 'input' }),
  }));
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } };
const kbIdParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } };
const jsonBody = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input' }) } } });

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'AI Stack jobs API',
    version: '0.1.0',
    description: 'Starts and tracks Temporal workflows; serves documents and search. Errors are RFC 9457 problems.',
  },
  paths: {
    '/v1/documents': {
      post: {
        summary: 'Upload a document (txt, md, html, pdf, docx) for ingestion, into a knowledge base (`default` unless given)',
        description:
          'multipart/form-data streams any size up to MAX_UPLOAD_SIZE; application/json carries the bytes as base64 in a body up to ' +
          'MAX_JSON_UPLOAD_SIZE. The type is sniffed from the bytes; the file name is a label only. Front matter fills title, tags, ' +
          'lang and metadata where the upload left them unset.',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['file'],
                properties: {
                  file: { type: 'string', format: 'binary' },
                  title: { type: 'string', maxLength: 500 },
                  source: { type: 'string', maxLength: 2000 },
                  tags: { type: 'string', description: 'comma-separated, or repeat the field' },
                  knowledgeBase: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
                  lang: { type: 'string', description: 'BCP 47 language tag, e.g. zh-CN' },
                  metadata: { type: 'string', description: 'a JSON object: at most 100 keys, 5 levels deep, 16 KiB' },
                },
              },
            },
            'application/json': { schema: z.toJSONSchema(jsonUpload, { io: 'input' }) },
          },
        },
        responses: {
          '202': { description: 'Accepted; ingestion started', ...json(acceptedView) },
          '200': { description: 'The same bytes were uploaded before: the existing document', ...json(acceptedView) },
          '400': problem('Invalid field'),
          '413': problem('Larger than the upload limit'),
          '404': problem('No such knowledge base'),
          '409': problem('The knowledge base is being deleted'),
          '415': problem('Neither multipart nor JSON, or a type the platform does not read'),
          '422': problem('Empty document'),
        },
      },
      get: {
        summary: 'List documents, newest first, with cursor pagination',
        parameters: queryParameters(listQuery),
        responses: {
          '200': { description: 'A page', ...json(documentPageView) },
          '400': problem('Invalid parameter'),
          '404': problem('No such knowledge base'),
        },
      },
    },
    '/v1/documents/{id}': {
      get: {
        summary: 'A document and where its ingestion stands',
        parameters: [idParameter],
        responses: { '200': { description: 'The document', ...json(documentView) }, '404': problem('No such document') },
      },
      delete: {
        summary: 'Cancel its ingestion and remove the document, chunks, vectors and index entries',
        parameters: [idParameter],
        responses: { '204': { description: 'Removed' }, '404': problem('No such document') },
      },
    },
    '/v1/documents/{id}/reingest': {
      post: {
        summary: 'Run ingestion again for a finished document',
        parameters: [idParameter],
        responses: {
          '202': { description: 'Started', ...json(acceptedView) },
          '404': problem('No such document'),
          '409': problem('Ingestion is running'),
        },
      },
    },
    '/v1/search/semantic': {
      get: {
        summary: 'Nearest chunks by meaning',
        parameters: queryParameters(semanticQuery),
        responses: {
          '200': { description: 'Results, best first', ...json(semanticResultsView) },
          '400': problem('Invalid parameter'),
          '404': problem('No such knowledge base'),
        },
      },
    },
    '/v1/knowledge-bases': {
      post: {
        summary: 'Create a knowledge base (the id is generated from the name when not given)',
        requestBody: jsonBody(newKnowledgeBase),
        responses: {
          '201': { description: 'Created', ...json(knowledgeBaseView) },
          '400': problem('Invalid field'),
          '409': problem('The id is taken'),
        },
      },
      get: {
        summary: 'List knowledge bases by id, with cursor pagination',
        parameters: queryParameters(knowledgeBaseListQuery),
        responses: { '200': { description: 'A page', ...json(knowledgeBasePageView) }, '400': problem('Invalid parameter') },
      },
    },
    '/v1/knowledge-bases/{id}': {
      get: {
        summary: 'A knowledge base with its document count',
        parameters: [kbIdParameter],
        responses: { '200': { description: 'The knowledge base', ...json(knowledgeBaseView) }, '404': problem('No such knowledge base') },
      },
      patch: {
        summary: 'Change name, description or default language (null clears the latter two)',
        parameters: [kbIdParameter],
        requestBody: jsonBody(knowledgeBaseChanges),
        responses: {
          '200': { description: 'Changed', ...json(knowledgeBaseView) },
          '400': problem('Invalid field'),
          '404': problem('No such knowledge base'),
          '409': problem('Being deleted'),
        },
      },
      delete: {
        summary: 'Delete a knowledge base with all its documents, as a workflow; uploads into it are refused from now on',
        parameters: [kbIdParameter],
        responses: {
          '202': { description: 'Deletion started (or already running)', ...json(knowledgeBaseDeletionView) },
          '404': problem('No such knowledge base'),
          '409': problem('The default knowledge base cannot be deleted'),
        },
      },
    },
    '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'Up' } } } },
    '/readyz': { get: { summary: 'Readiness: Temporal, database, model', responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } } } },
  },
};
