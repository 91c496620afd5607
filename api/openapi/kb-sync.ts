/** The knowledge-base sources and sync operations of the OpenAPI document. */
import { z } from 'zod';
import { SOURCE_ID_PATTERN } from '../../lib/kb-sync/sources.ts';
import { directorySourceSchema, gitSourceSchema, sourceView, syncAccepted, syncView } from '../kb-sync-schemas.ts';
import { json, jsonBody, kbIdParameter, notModified, problem, responses, schemaOf } from './parts.ts';

const sourceIdParameter = {
  name: 'sourceId',
  in: 'path',
  required: true,
  description: 'a source id: src_ and 24 lower-case hex characters',
  schema: { type: 'string', pattern: SOURCE_ID_PATTERN },
};

const sourcesDescription =
  'A source is a directory tree or a Git repository (an https:// remote, or a local bare repository) that must lie inside ' +
  'KB_SOURCE_ROOTS after following symlinks. Each sync reads it as it is now and brings the knowledge base in line: new and ' +
  'changed files are filed as documents and ingested, a file moved with the same content only has its document renamed, and ' +
  'documents whose content is gone are deleted. Only files ingestion accepts are taken (.txt .md .html .pdf .docx .png .jpg ' +
  '.tif); hidden files and directories are skipped.';

export const kbSyncPaths = {
  '/v1/knowledge-bases/{id}/sources': {
    post: {
      summary: 'Add a source to a knowledge base (scope documents:write); the same source again answers 200 with the existing one',
      description: sourcesDescription,
      parameters: [kbIdParameter],
      requestBody: jsonBody({ oneOf: [schemaOf(directorySourceSchema, 'input'), schemaOf(gitSourceSchema, 'input')] }),
      responses: responses({
        '201': { description: 'Added', ...json(sourceView) },
        '200': { description: 'Already a source of this knowledge base', ...json(sourceView) },
        '400': problem('Invalid field (named in errors): a path outside KB_SOURCE_ROOTS or missing, a URL that is not https or local'),
        '404': problem('No such knowledge base'),
        '409': problem('The knowledge base is being deleted, or has its maximum of sources'),
        '413': problem('Body over 16 KiB'),
        '415': problem('Not UTF-8 JSON'),
      }),
    },
    get: {
      summary: 'The knowledge base’s sources, with what the last sync saw of each',
      parameters: [kbIdParameter],
      responses: responses({
        '200': { description: 'All of them (at most 20)', ...json(z.object({ items: z.array(sourceView), nextCursor: z.null() })) },
        ...notModified,
        '400': problem('Not a knowledge base id'),
        '404': problem('No such knowledge base'),
      }),
    },
  },
  '/v1/knowledge-bases/{id}/sources/{sourceId}': {
    delete: {
      summary: 'Remove a source and its checkpoint; the documents it brought stay in the knowledge base',
      parameters: [kbIdParameter, sourceIdParameter],
      responses: responses({
        '204': { description: 'Removed' },
        '400': problem('Not a knowledge base or source id'),
        '404': problem('No such knowledge base or source'),
      }),
    },
  },
  '/v1/knowledge-bases/{id}/sync': {
    post: {
      summary: 'Sync the knowledge base with its sources (scope documents:write): a syncKnowledgeBase workflow; one at a time, a repeat joins it',
      parameters: [kbIdParameter],
      responses: responses({
        '202': { description: 'Started, or joined the open sync', ...json(syncAccepted) },
        '400': problem('Not a knowledge base id'),
        '404': problem('No such knowledge base'),
        '409': problem('The knowledge base has no sources, or is being deleted'),
      }),
    },
    get: {
      summary: 'The last sync: status (`never` before the first), counts written so far, and the running workflow’s live progress',
      parameters: [kbIdParameter],
      responses: responses({
        '200': { description: 'The last sync', ...json(syncView) },
        ...notModified,
        '400': problem('Not a knowledge base id'),
        '404': problem('No such knowledge base'),
      }),
    },
  },
};
