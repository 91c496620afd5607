/**
 * PostgreSQL: pg_dump -Fc of one snapshot, row counts from the same snapshot, and
 * pg_restore into a scratch database (verification) or the live one (restore).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import type { Queryable } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { CATALOG_TABLE, countRows, ident, schemaVersion } from './tables.ts';

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The URL without its password, and the password in PGPASSWORD: never on a command line `ps` shows. */
function connectionOf(url: string): { dbname: string; env: Record<string, string> } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: password ? { PGPASSWORD: password } : {} };
}

/**
 * Runs a PostgreSQL client program; `input` feeds its stdin, `output` takes its
 * stdout. Fails with its stderr's last lines when it exits non-zero.
 */
async function runTool(binDir: string, tool: string, args: string[], url: string | undefined, io: { input?: Readable; output?: Writable }): Promise<void> {
  const { dbname, env } = url ? connectionOf(url) : { dbname: undefined, env: {} };
  const child = spawn(path.join(binDir, tool), dbname ? [...args, `--dbname=${dbname}`] : args, {
    env: { ...process.env, ...env },
    stdio: [io.input ? 'pipe' : 'ignore', io.output ? 'pipe' : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  // A tool may stop reading once it has what it needs (pg_restore at a dump's end
  // marker) and exit 0: its stdin then closes under our writes (EPIPE, premature
  // close), which is no failure. Its exit code decides; only a failing input of
  // our own (a part that does not decrypt) is an error on its own.
  const feeding = io.input ? pipeline(io.input, child.stdin!).then(() => undefined, (error: unknown) => error) : undefined;
  try {
    if (io.output) await pipeline(child.stdout!, io.output);
  } catch (error) {
    child.kill('SIGKILL');
    await exited.catch(() => {});
    throw error;
  }
  const code = await exited;
  if (code !== 0) throw new AppError('E_BACKUP_TOOL', `${tool} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`, { retryable: true });
  const fed = await feeding;
  if (fed && !isClosedPipe(fed)) throw fed;
}

/** The reader went away: what a tool that stopped reading early leaves behind. */
function isClosedPipe(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ERR_STREAM_DESTROYED';
}

/**
 * Dumps the database into `output`. A repeatable-read transaction exports its
 * snapshot; pg_dump reads that snapshot (--snapshot) and the row counts are taken
 * in the same transaction, so both describe the same instant whatever commits meanwhile.
 */
export async function dumpPostgres(url: string, binDir: string, output: Writable): Promise<{ rowCounts: Record<string, number>; schemaVersion: string }> {
  const client = new pg.Client({ connectionString: url, types });
  await client.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const snapshot = (await client.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0]!.id;
    const queryable = { query: async (sql: string, params?: readonly unknown[]) => ({ rows: (await client.query(sql, params as unknown[])).rows }) };
    const counting = countRows(queryable as never);
    const version = schemaVersion(queryable as never);
    // -Z0: compression happens in our pipeline (gzip, then the optional encryption).
    await runTool(binDir, 'pg_dump', ['-Fc', '-Z0', `--snapshot=${snapshot}`, `--exclude-table=public.${CATALOG_TABLE}`], url, { output });
    const result = { rowCounts: await counting, schemaVersion: await version };
    await client.query('commit');
    return result;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Replays a dump into the database at `url` in one transaction: pg_restore turns
 * the dump into SQL, and psql runs `begin`, `preamble`, that SQL and `commit`,
 * stopping at the first error. The commit is sent only after pg_restore has
 * finished well: if it fails, or the worker dies mid-stream, psql's input ends
 * without it and the server rolls everything back, so the database ends as the
 * dump or as it was. Extensions are created only if missing and never dropped,
 * and comments are left out: the vector extension belongs to the superuser that
 * installed it, and the platform's role may neither drop it nor comment on it.
 */
async function replay(binDir: string, url: string, dump: Readable, preamble: string): Promise<void> {
  const sql = new PassThrough();
  const script = new PassThrough();
  sql.write(`begin;\n${preamble}`);
  script.pipe(sql, { end: false });
  const converting = runTool(binDir, 'pg_restore', ['--no-owner', '--no-privileges', '--no-comments', '--file=-'], undefined, { input: dump, output: script });
  const applying = runTool(binDir, 'psql', ['-X', '-q', '--set=ON_ERROR_STOP=1', '--file=-'], url, { input: sql });
  converting.then(
    () => (script.readableEnded ? sql.end('commit;\n') : script.once('end', () => sql.end('commit;\n'))),
    () => sql.end(),
  );
  const results = await Promise.allSettled([converting, applying]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Scratch databases are named with their creation time, so a sweep can tell a dead verification's from a live one. */
const SCRATCH_PREFIX = 'aistack_verify_';

/** Drops scratch databases left by verifications whose worker died, once older than `olderThanMs`. */
export async function sweepScratchDatabases(adminUrl: string, olderThanMs: number): Promise<string[]> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ name: string }>(`select datname as name from pg_database where datname like $1`, [`${SCRATCH_PREFIX}%`]);
    const cutoff = Math.floor((Date.now() - olderThanMs) / 1000);
    const dead = rows.map((r) => r.name).filter((name) => Number(/^aistack_verify_(\d+)_[0-9a-f]+$/.exec(name)?.[1] ?? Infinity) < cutoff);
    for (const name of dead) await admin.query(`drop database if exists ${ident(name)} with (force)`);
    return dead;
  } finally {
    await admin.end().catch(() => {});
  }
}

/** Restores a dump into a new database on `adminUrl`'s server (the same path as a live restore), counts its rows, and drops it. */
export async function countInScratchPostgres(adminUrl: string, binDir: string, dump: Readable): Promise<Record<string, number>> {
  const name = `${SCRATCH_PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`); // a generated identifier, not input
  } finally {
    await admin.end().catch(() => {});
  }
  const scratchUrl = new URL(adminUrl);
  scratchUrl.pathname = `/${name}`;
  try {
    const client = new pg.Client({ connectionString: scratchUrl.toString(), types });
    await client.connect();
    try {
      const queryable = { query: async (sql: string, params?: readonly unknown[]) => ({ rows: (await client.query(sql, params as unknown[])).rows }) };
      await replay(binDir, scratchUrl.toString(), dump, await dropStatements(queryable as never));
      return await countRows(queryable as never);
    } finally {
      await client.end().catch(() => {});
    }
  } finally {
    const dropper = new pg.Client({ connectionString: adminUrl });
    await dropper.connect();
    await dropper.query(`drop database if exists ${name} with (force)`).finally(() => dropper.end().catch(() => {}));
  }
}

/**
 * SQL that drops what a dump will create again: every table, view, sequence,
 * function and type in `public` that no extension owns, except the backups
 * catalog, which no dump holds and every restore keeps.
 */
async function dropStatements(db: Queryable): Promise<string> {
  const notExtension = (classid: string, oid: string) =>
    `not exists (select 1 from pg_depend d where d.classid = '${classid}'::regclass and d.objid = ${oid} and d.deptype = 'e')`;
  const relations = await db.query<{ name: string; kind: string }>(
    `select c.relname as name, c.relkind as kind from pg_class c where c.relnamespace = 'public'::regnamespace
       and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and not c.relispartition and c.relname <> $1 and ${notExtension('pg_class', 'c.oid')}`,
    [CATALOG_TABLE],
  );
  const functions = await db.query<{ signature: string }>(
    `select p.oid::regprocedure::text as signature from pg_proc p where p.pronamespace = 'public'::regnamespace and ${notExtension('pg_proc', 'p.oid')}`,
  );
  const types = await db.query<{ name: string }>(
    `select t.typname as name from pg_type t where t.typnamespace = 'public'::regnamespace and t.typtype in ('e', 'd', 'r', 'm')
       and ${notExtension('pg_type', 't.oid')}`,
  );
  const kinds: Record<string, string> = { r: 'table', p: 'table', f: 'foreign table', v: 'view', m: 'materialized view', S: 'sequence' };
  const lines = relations.rows.map((r) => `drop ${kinds[r.kind]} if exists public.${ident(r.name)} cascade;`);
  lines.push(...functions.rows.map((f) => `drop function if exists ${f.signature} cascade;`));
  lines.push(...types.rows.map((t) => `drop type if exists public.${ident(t.name)} cascade;`));
  return lines.join('\n') + '\n';
}

/**
 * Restores a dump over the live database in one transaction: every object of the
 * platform's schema is dropped and created again with the dump's rows (the backups
 * catalog is not in the dump and stays). Sessions of the API and workers keep
 * their connections; a statement of theirs holding a lock makes the restore wait
 * for it, and theirs wait for the restore.
 */
export async function restorePostgres(url: string, binDir: string, dump: Readable): Promise<void> {
  const client = new pg.Client({ connectionString: url, types });
  await client.connect();
  let preamble: string;
  try {
    preamble = await dropStatements({ query: async (sql: string, params?: readonly unknown[]) => ({ rows: (await client.query(sql, params as unknown[])).rows }) } as never);
  } finally {
    await client.end().catch(() => {});
  }
  await replay(binDir, url, dump, preamble);
}
