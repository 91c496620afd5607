import { z } from 'zod';
import { acceptedView, documentPageView, documentView, listQuery, problemView, semanticQuery, semanticResultsView } from './schemas.ts';

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
        summary: 'Upload a document (txt, md, html, pdf, docx) for ingestion',
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
                },
              },
            },
          },
        },
        responses: {
          '202': { description: 'Accepted; ingestion started', ...json(acceptedView) },
          '200': { description: 'The same bytes were uploaded before: the existing document', ...json(acceptedView) },
          '400': problem('Invalid field'),
          '413': problem('Larger than the upload limit'),
          '415': problem('Not multipart, or a type the platform does not read'),
          '422': problem('Empty document'),
        },
      },
      get: {
        summary: 'List documents, newest first, with cursor pagination',
        parameters: queryParameters(listQuery),
        responses: { '200': { description: 'A page', ...json(documentPageView) }, '400': problem('Invalid parameter') },
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
        responses: { '200': { description: 'Results, best first', ...json(semanticResultsView) }, '400': problem('Invalid parameter') },
      },
    },
    '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'Up' } } } },
    '/readyz': { get: { summary: 'Readiness: Temporal, database, model', responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } } } },
  },
};
