/**
 * bench/backup: `npm run bench:backup`. Not a test.
 *
 * Data: BENCH_ORDERS generated ERP orders (default 5 000 000, lib/erp by COPY, seed
 * BENCH_SEED, default `aistack`) in a PostgreSQL database of their own: about 1.07 GB
 * (pg_database_size, tables and indexes) at the default. bench/reports-data.ts makes it;
 * BENCH_KEEP_DB=1 keeps it for the next run (the load takes about 3 minutes), BENCH_RELOAD=1
 * reloads it. Nothing is cached in the repository.
 *
 * ours = the backup engine's path as backupPlatform's activities run it, without
 * Temporal around it: dumpDatabase (pg_dump -Fc -Z0 of one exported snapshot, row
 * counts of every table in the same snapshot, gzip level 6 in Node, sha256 of the
 * stored bytes, into the local blob store), the blob archive part (the store holds
 * one small marker blob besides the backups) and the manifest; encryption off. Verification (a
 * pg_restore into a scratch database and a row count comparison) is not in the
 * timing: it is timed once afterwards, on the last backup, and printed apart
 * (BENCH_VERIFY=0 skips it).
 * peer = `pg_dump -Fc` alone (its own zlib compression, default level) to a file.
 *
 * BENCH_RUNS (default 3) rounds after one warm-up pg_dump, in ABBA order
 * (ours first in even rounds) so drift on a shared machine falls on both; medians.
 * Throughput is the database's size (pg_database_size, MB = 10^6 bytes) over the
 * wall time, for both. Last line: `backup: ours=<MB/s> peer=<MB/s> ratio=<r>`, ratio = ours / peer.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createLocalBlobStore } from '../lib/blob/local.ts';
import { archiveBlobs } from '../lib/backup/blob-archive.ts';
import { dumpDatabase } from '../lib/backup/engine.ts';
import { backupPrefix, manifestKey, newBackupId, partKey } from '../lib/backup/ids.ts';
import { storePart } from '../lib/backup/parts.ts';
import type { BackupManifest } from '../lib/backup/types.ts';
import { verifyStoredBackup } from '../lib/backup/verify.ts';
import { loadConfig } from '../lib/config.ts';
import { openBenchDatabase } from './reports-data.ts';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 5_000_000);
const SEED = process.env.BENCH_SEED ?? 'aistack';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const VERIFY = process.env.BENCH_VERIFY !== '0';

const log = (line: string) => console.log(line);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const mb = (bytes: number) => bytes / 1e6;
const seconds = (values: number[]) => `${median(values).toFixed(1)} s (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;

const bench = await openBenchDatabase({
  orders: ORDERS,
  seed: SEED,
  keep: process.env.BENCH_KEEP_DB === '1',
  reload: process.env.BENCH_RELOAD === '1',
  poolMax: 2,
});
const blobDir = mkdtempSync(path.join(os.tmpdir(), 'aistack-bench-backup-'));
const peerDir = mkdtempSync(path.join(os.tmpdir(), 'aistack-bench-pgdump-'));

try {
  const size = Number((await bench.db.query<{ s: string }>('select pg_database_size(current_database())::text as s')).rows[0]!.s);
  log(
    `data: ${ORDERS} orders (seed ${SEED}), database ${mb(size).toFixed(0)} MB ` +
      `${bench.loadSeconds === null ? '(reused from an earlier run)' : `(loaded by COPY in ${bench.loadSeconds.toFixed(1)} s)`}`,
  );
  const config = loadConfig({ ...process.env, DATABASE_URL: bench.url, BLOB_DIR: blobDir, BACKUP_ENCRYPTION_KEY: undefined });
  const blobs = createLocalBlobStore(blobDir);
  // The bench is about the database; the blob store holds one small marker (an archive of nothing fails to unpack).
  await blobs.put('bench/marker.txt', Readable.from([Buffer.from(`bench/backup ${new Date().toISOString()}\n`)]));

  /** What backupPlatform's dumpDatabasePart, archiveBlobsPart and writeManifest activities do, in that order. */
  async function ours(): Promise<{ ms: number; manifest: BackupManifest }> {
    const started = performance.now();
    const id = newBackupId();
    const createdAt = new Date().toISOString();
    const database = await dumpDatabase(bench.db, config, blobs, id);
    const { archive, summary } = await archiveBlobs(blobs, blobDir);
    const blobPart = await storePart(blobs, 'blobs', partKey(id, 'blobs', '.tar.gz'), archive);
    const manifest: BackupManifest = {
      id,
      format: 1,
      engine: bench.db.engine,
      schemaVersion: database.schemaVersion,
      createdAt,
      encryption: null,
      parts: [database.part, blobPart],
      rowCounts: database.rowCounts,
      blobs: await summary,
    };
    await blobs.put(manifestKey(id), Readable.from([Buffer.from(JSON.stringify(manifest, null, 2))]));
    return { ms: performance.now() - started, manifest };
  }

  /** pg_dump -Fc to a file, the password in PGPASSWORD as the engine passes it. */
  async function peer(): Promise<{ ms: number; bytes: number }> {
    const url = new URL(bench.url);
    const password = decodeURIComponent(url.password);
    url.password = '';
    const file = path.join(peerDir, 'bench.dump');
    const started = performance.now();
    const child = spawn(path.join(config.BACKUP_PG_BIN_DIR, 'pg_dump'), ['-Fc', '-f', file, `--dbname=${url}`], {
      env: { ...process.env, PGPASSWORD: password },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const code = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', resolve));
    if (code !== 0) throw new Error(`pg_dump exited with ${code}`);
    const ms = performance.now() - started;
    const bytes = statSync(file).size;
    rmSync(file, { force: true });
    return { ms, bytes };
  }

  const remove = (id: string) => rmSync(path.join(blobDir, backupPrefix(id)), { recursive: true, force: true });

  // Warm-up: one pg_dump reads the whole database, so the first measured round is not the one that fills the page cache.
  await peer();

  const ourMs: number[] = [];
  const peerMs: number[] = [];
  let last: BackupManifest | undefined;
  let peerBytes = 0;
  for (let round = 0; round < RUNS; round++) {
    const steps = round % 2 === 0 ? (['ours', 'peer'] as const) : (['peer', 'ours'] as const);
    for (const step of steps) {
      if (step === 'ours') {
        const run = await ours();
        ourMs.push(run.ms);
        if (last) remove(last.id);
        last = run.manifest;
        log(`round ${round + 1} ours: ${(run.ms / 1000).toFixed(1)} s`);
      } else {
        const run = await peer();
        peerMs.push(run.ms);
        peerBytes = run.bytes;
        log(`round ${round + 1} peer: ${(run.ms / 1000).toFixed(1)} s`);
      }
    }
  }

  const db = last!.parts.find((p) => p.name === 'database')!;
  const blobPart = last!.parts.find((p) => p.name === 'blobs')!;
  const ourRate = mb(size) / (median(ourMs) / 1000);
  const peerRate = mb(size) / (median(peerMs) / 1000);
  log(
    `ours: ${seconds(ourMs.map((m) => m / 1000))} = ${ourRate.toFixed(1)} MB/s; database part ${mb(db.rawBytes).toFixed(0)} MB raw (pg_dump -Fc -Z0) ` +
      `-> ${mb(db.bytes).toFixed(1)} MB gzip, blob part ${blobPart.bytes} bytes, ${Object.keys(last!.rowCounts).length} tables counted`,
  );
  log(`peer: ${seconds(peerMs.map((m) => m / 1000))} = ${peerRate.toFixed(1)} MB/s; pg_dump -Fc file ${mb(peerBytes).toFixed(1)} MB`);

  if (VERIFY) {
    const verification = await verifyStoredBackup(bench.db.engine, config, blobs, last!);
    log(
      `verification of the last backup (not in the ratio): ${verification.ok ? 'ok' : `FAILED ${verification.problems.join('; ')}`} ` +
        `in ${(verification.durationMs / 1000).toFixed(1)} s (checksums, pg_restore into a scratch database, row counts)`,
    );
  }
  log(`backup: ours=${ourRate.toFixed(1)} peer=${peerRate.toFixed(1)} ratio=${(ourRate / peerRate).toFixed(3)}`);
} finally {
  rmSync(blobDir, { recursive: true, force: true });
  rmSync(peerDir, { recursive: true, force: true });
  await bench.close();
}
