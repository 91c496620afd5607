/**
 * The OpenAPI document is a contract a real client can trust: schemathesis
 * (PyPI, installed by scripts/setup-schemathesis.sh) runs its coverage, fuzzing
 * and stateful phases with every check against the running API (API keys on),
 * and must find no 5xx, no undocumented status and no schema-valid request refused.
 *
 * Three things a JSON Schema cannot say are told to schemathesis:
 * - a cursor is valid only if this API signed it: on the list operations a 400
 *   (naming `cursor`) is an accepted answer to a well-formed cursor;
 * - whether uploaded bytes are a readable document is decided by sniffing them:
 *   on POST /v1/documents a 415 (another type) or 422 (empty) is accepted;
 * - a multipart field is text: a "boolean" form field arrives as the string "true"
 *   (the stateful phase does not know this, so its negative_data_rejection is off
 *   for POST /v1/documents);
 * - deletion is a workflow (202 Accepted): the resource reads `deleting` until
 *   the workflow removes it, so the `use_after_free` check is off.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { deleteSchedulesOf } from '../helpers/schedules.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Bounded: about two minutes on a 2-core machine shared with other suites. */
const MAX_SECONDS = Number(process.env.SCHEMATHESIS_MAX_SECONDS ?? 120);
const MAX_EXAMPLES = Number(process.env.SCHEMATHESIS_MAX_EXAMPLES ?? 25);

let platform: TestPlatform;
let st: string;
let dir: string;

before(async () => {
  st = execFileSync('bash', ['scripts/setup-schemathesis.sh'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  // No worker: uploads stay queued, which the contract covers (409 on reingest); the database, Temporal and the model are real.
  platform = await startTestPlatform('pglite', { withWorker: false, env: { AUTH: 'on' } });
  dir = mkdtempSync(path.join(os.tmpdir(), 'schemathesis-'));
});

after(async () => {
  // Schedules the fuzzer made would keep firing on the shared Temporal server.
  if (platform) await deleteSchedulesOf(platform.env, platform.platform.config.TEMPORAL_ADDRESS);
  await platform?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const toml = (value: unknown) => JSON.stringify(value); // TOML basic strings read like JSON

/** Operations where a refusal a JSON Schema cannot foresee is part of the contract (see the header). */
function config(): string {
  const accepting = (pathName: string, method: string, extra: string[]) => `
[[operations]]
include-name = ${toml(`${method} ${pathName}`)}
checks.positive_data_acceptance.expected-statuses = ${toml(['2xx', '3xx', '401', '403', '404', '409', '429', '5xx', ...extra])}
`;
  return [
    // A cursor is valid only if this API signed it: a well-formed but unsigned one is a 400 naming `cursor`.
    accepting('/v1/documents', 'GET', ['400']),
    accepting('/v1/knowledge-bases', 'GET', ['400']),
    accepting('/v1/api-keys', 'GET', ['400']),
    // Whether bytes are a readable document is decided by sniffing them: another type is a 415, an empty file a 422.
    // And a multipart field is text on the wire: a "type mutation" of a form field (a number or null for a
    // string) reaches the API as valid text, so refusing it cannot be asked of this operation (its JSON
    // form is strict, and tested in test/integration/names-and-metadata.test.ts).
    accepting('/v1/documents', 'POST', ['415', '422']) +
      `checks.negative_data_rejection.expected-statuses = ${toml(['200', '202', '400', '401', '403', '404', '405', '406', '409', '413', '415', '422', '428', '429', '5xx'])}\n`,
    // A search's query syntax, and which fields an index has, are the query language's and the catalog's to say,
    // not a JSON Schema's: `(a` or an unknown field in `filters` is a well-formed request answered 400.
    accepting('/v1/search/{index}', 'GET', ['400']),
    accepting('/v1/search/{index}', 'POST', ['400', '413']),
    // Which fields a dataset has, which aggregations and operators each takes and what values fit it are the
    // catalog's to say (400 naming the field); a well-formed query can also be over the cost ceiling (422, limit).
    // And the body is read up to 64 KiB, less than the schema's bounds allow (32 filters of 1000 values of 200
    // characters): a long body is a 413 whether or not it is schema-valid.
    accepting('/v1/analytics/query', 'POST', ['400', '413', '422']) +
      `checks.negative_data_rejection.expected-statuses = ${toml(['400', '401', '403', '404', '405', '406', '409', '413', '415', '422', '428', '429', '5xx'])}\n`,
    // A forecast or anomaly search over a well-formed request can still be refused: a field the catalog lacks, a range
    // with too few periods or no rows, trainFrom after trainTo or a year outside 1900–2200 (400 naming the field); or
    // its series query over the cost ceiling (422, limit).
    // Their bodies are read up to 64 KiB too: a long body (a filter's long `in` list) is a 413, schema-valid or not.
    accepting('/v1/analytics/forecast', 'POST', ['400', '413', '422']) +
      `checks.negative_data_rejection.expected-statuses = ${toml(['400', '401', '403', '404', '405', '406', '409', '413', '415', '422', '428', '429', '5xx'])}\n`,
    accepting('/v1/analytics/anomalies', 'POST', ['400', '413', '422']) +
      `checks.negative_data_rejection.expected-statuses = ${toml(['400', '401', '403', '404', '405', '406', '409', '413', '415', '422', '428', '429', '5xx'])}\n`,
    // A pivot's or a drill-down's fields, aggregations and filter values are the catalog's to judge (400 naming
    // `rows.N`, `columns.N`, `cell.<field>` …; a field twice, or min of a text field, too); a well-formed pivot can
    // also have more cells than the limit, or a query over the cost ceiling (422 naming the limit). Their bodies
    // are read up to 64 KiB like a query's: a long schema-valid body is a 413.
    accepting('/v1/analytics/pivot', 'POST', ['400', '413', '422']) +
      `checks.negative_data_rejection.expected-statuses = ${toml(['400', '401', '403', '404', '405', '406', '409', '413', '415', '422', '428', '429', '5xx'])}\n`,
    accepting('/v1/analytics/drill', 'POST', ['400', '413', '422']) +
      `checks.negative_data_rejection.expected-statuses = ${toml(['400', '401', '403', '404', '405', '406', '409', '413', '415', '422', '428', '429', '5xx'])}\n`,
    // A report's names are the catalog's to judge, its pivot fields must be among its dimensions, its charts must name
    // what it shows, its template must exist and its parameters fit (400 naming the field); an Idempotency-Key used with
    // another body is a 422. A template is checked as a report when saved (400 naming `spec.…`). Lists take signed cursors.
    accepting('/v1/reports', 'POST', ['400', '422']),
    accepting('/v1/reports', 'GET', ['400']),
    accepting('/v1/report-templates', 'POST', ['400']),
    accepting('/v1/report-templates', 'GET', ['400']),
    accepting('/v1/report-templates/{id}', 'PUT', ['400']),
    // Whether a string is an email address (a JSON Schema pattern cannot say it well), a recipient listed twice, text
    // and html with a template or neither, a template that exists and data that fills its variables, attachments
    // that exist for the tenant: 400 naming the field. The same idempotency key with another body is a 409; a body,
    // rendered message or set of attachments over its size limit is a 413.
    accepting('/v1/emails', 'POST', ['400', '409', '413']),
    accepting('/v1/emails', 'GET', ['400']),
    // A template's Mustache must parse, its HTML must escape every variable, its default locale must be one of its
    // locales (1 to 10, each once): 400 naming `locales.<locale>.<part>` or `defaultLocale`.
    accepting('/v1/email-templates', 'POST', ['400']),
    accepting('/v1/email-templates', 'GET', ['400']),
    accepting('/v1/email-templates/{id}', 'PUT', ['400']),
    // Backups (operator key): no worker runs here, so the first POST starts a backup that stays `running` and every
    // later POST joins it (one backup at a time): fuzzing cannot start backups in bulk. A restore needs the token a
    // 428 hands out for a verified backup (none is verified here: 409); any other schema-valid token is a 400 naming
    // `confirmationToken`, so fuzzing cannot restore. The list takes signed cursors.
    accepting('/v1/backups', 'GET', ['400']),
    accepting('/v1/backups/{id}/restore', 'POST', ['400', '428']),
    // A Schedule's body is the one its kind (the path) takes, its cron expression must mean something (a minute of 61 is
    // a string like any other to a schema), its time zone must exist, and its report or knowledge base must be the
    // caller's (400 naming the field); a backfill's range must be past, at most 31 days and hold 1 to 50 firings.
    accepting('/v1/schedules/{id}', 'POST', ['400']),
    accepting('/v1/schedules', 'GET', ['400']),
    accepting('/v1/schedules/{id}/backfill', 'POST', ['400']),
    // A knowledge-base source's path must exist inside KB_SOURCE_ROOTS after following symlinks, and a Git URL must be
    // https:// or a local repository there (400 naming `path` / `url`): a schema cannot know the file system. At most
    // 20 sources per knowledge base (409), and one sync per knowledge base at a time (a repeat joins it; no worker
    // runs here), so fuzzing cannot start syncs in bulk.
    accepting('/v1/knowledge-bases/{id}/sources', 'POST', ['400']),
    `phases.stateful.checks.negative_data_rejection.enabled = false`,
  ].join('\n');
}

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(st, args, { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), (MAX_SECONDS + 60) * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test('schemathesis finds nothing wrong with the API against its OpenAPI document', { timeout: (MAX_SECONDS + 120) * 1000 }, async () => {
  const key = platform.api.createdOperatorKey;
  assert.ok(key, 'the platform created no operator key');
  const configFile = path.join(dir, 'schemathesis.toml');
  writeFileSync(configFile, config());
  const { code, output } = await run([
    '--config-file',
    configFile,
    'run',
    `${platform.api.url}/openapi.json`,
    '--header',
    `Authorization: Bearer ${key}`,
    '--phases=examples,coverage,fuzzing,stateful',
    '--checks=all',
    '--exclude-checks=use_after_free',
    // Revoking keys would revoke the one this run uses; revocation has its own suite (test/integration/identity.test.ts).
    '--exclude-path=/v1/api-keys/{id}',
    `--max-examples=${MAX_EXAMPLES}`,
    `--max-time=${MAX_SECONDS}`,
    '--workers=2',
    '--request-timeout=30',
    '--seed=20261130',
    '--no-color',
    '--output-truncate=false',
  ]);
  assert.equal(code, 0, `schemathesis failed (exit ${code}):\n${output.slice(-30_000)}`);
});
