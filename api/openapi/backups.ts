/** The backups operations of the OpenAPI document (operator only: scope `tenants`). */
import {
  BACKUP_ID_PATTERN,
  backupAccepted,
  backupListQuery,
  backupPage,
  backupRequest,
  backupView,
  confirmationRequired,
  restoreAccepted,
  restoreRequest,
} from '../backup-schemas.ts';
import { json, notModified, pathId, problem, problemRef, queryParameters, responses, schemaOf } from './parts.ts';

const backupIdParameter = pathId(BACKUP_ID_PATTERN, 'a backup id: bk_, 14 digits of UTC time, _ and 6 hex digits');
/** The body is optional (curl -X POST works); when sent, it is JSON and strict. */
const optionalJsonBody = (schema: ReturnType<typeof schemaOf>) => ({ required: false, content: { 'application/json': { schema } } });
const bodyProblems = { '400': problem('Invalid field (named in errors)'), '413': problem('Body over 16 KiB'), '415': problem('Not UTF-8 JSON') };

export const backupPaths = {
  '/v1/backups': {
    post: {
      summary: 'Back up the platform now (operator only: scope `tenants`): a backupPlatform workflow on the maintenance queue',
      description:
        'One consistent copy of the database (pg_dump, or PGlite’s data-dir dump) and of the blob store, compressed, with a sha256 per ' +
        'part, optionally encrypted (AES-256-GCM), stored under backups/<id>/ with a manifest; then verified by a restore into a scratch ' +
        'database and directory. While a backup is being made, another POST answers with that one instead of starting a second.',
      requestBody: optionalJsonBody(schemaOf(backupRequest, 'input')),
      responses: responses({
        '202': { description: 'Accepted; the workflow runs (or the open backup)', ...json(backupAccepted) },
        ...bodyProblems,
        '409': problem('A restore is running'),
      }),
    },
    get: {
      summary: 'The backups, newest first, with cursor pagination',
      parameters: queryParameters(backupListQuery),
      responses: responses({ '200': { description: 'A page', ...json(backupPage) }, ...notModified, '400': problem('Invalid parameter, or a cursor this API did not return') }),
    },
  },
  '/v1/backups/{id}': {
    get: {
      summary: 'A backup: status, parts (bytes, sha256), row counts, verification, retention',
      parameters: [backupIdParameter],
      responses: responses({ '200': { description: 'The backup', ...json(backupView) }, ...notModified, '400': problem('Not a backup id'), '404': problem('No such backup') }),
    },
  },
  '/v1/backups/{id}/restore': {
    post: {
      summary: 'Restore the platform from a verified backup: two steps, the second with the confirmation token the first hands out',
      description:
        'Without `confirmationToken` nothing happens: the answer is a 428 problem carrying a fresh single-use token, its expiry and what ' +
        'the restore overwrites (the whole database, every tenant, and the blob store). Sent back before it expires, the token starts a ' +
        'restorePlatform workflow (202), which checks the parts’ checksums before replacing anything. A wrong, used or expired token is a ' +
        '400 naming `confirmationToken`. One at a time: while a backup is being made or another restore runs, a 409.',
      parameters: [backupIdParameter],
      requestBody: optionalJsonBody(schemaOf(restoreRequest, 'input')),
      responses: responses({
        '202': { description: 'Restore started', ...json(restoreAccepted) },
        ...bodyProblems,
        '404': problem('No such backup'),
        '409': problem('The backup is not verified (running, failed or deleted), or a backup or another restore is under way'),
        '428': {
          description: 'Confirm: the problem carries confirmationToken, expiresAt and overwrites',
          content: { 'application/problem+json': { schema: { allOf: [problemRef, schemaOf(confirmationRequired)] } } },
        },
      }),
    },
  },
};
