/** The document operations of the OpenAPI document: uploads (multipart, JSON, batch), lookup, reading, deleting, reingesting. */
import { z } from 'zod';
import { lookupRequest, MAX_BATCH_UPLOADS } from '../routes/documents-batch.ts';
import { acceptedView, documentPageView, documentView, jsonUpload, listQuery } from '../schemas.ts';
import { schemaOf, json, problem, notModified, responses, queryParameters, idParameter, jsonBody, type JsonSchema } from './parts.ts';

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
const TAG_LIST = '^ *[\\p{L}\\p{Nd}][\\p{L}\\p{Nd} ._:/-]{0,63}( *, *[\\p{L}\\p{Nd}][\\p{L}\\p{Nd} ._:/-]{0,63}){0,31} *$';
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

const deletionView = z.object({ id: z.string(), workflowId: z.string(), status: z.literal('deleting') });
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

export const documentPaths = {
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
};
