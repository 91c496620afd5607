/**
 * bench/ingest: documents through the API end to end (upload → ready) against
 * the physical limit of this pipeline, the raw embedder alone on the very same
 * chunks in the same run. Not a test: run with `npm run bench:ingest`.
 *
 * Two phases, each against the raw embedder on its own chunks: 200 small documents
 * alone (`ingest-small`, what a knowledge base mostly holds), then the mixed corpus
 * (`ingest`): 200 other small documents and two large ones.
 * Sizes: BENCH_SMALL_DOCS (default 200, 1–4 KB each), BENCH_LARGE_DOCS (default 2)
 * of BENCH_LARGE_MB (default 2) each; Chinese and English mixed, seeded, all distinct.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { retentionPolicyEn, travelPolicyZh, distractors } from '../test/fixtures/corpus.ts';
import { spawnWorkerProcess, startTestPlatform, upload, waitForDocument } from '../test/helpers/platform.ts';

const smallDocs = Number(process.env.BENCH_SMALL_DOCS ?? 200);
const largeDocs = Number(process.env.BENCH_LARGE_DOCS ?? 2);
const largeBytes = Number(process.env.BENCH_LARGE_MB ?? 2) * 1024 * 1024;

/** A deterministic generator (mulberry32), so every run ingests the same corpus. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const sentences = [travelPolicyZh, retentionPolicyEn, ...Object.values(distractors)]
  .flatMap((text) => text.split(/(?<=[。！？.!?])\s*/u))
  .filter((s) => s.length > 8 && !s.startsWith('#'));

function makeDocument(index: number, bytes: number): string {
  const next = random(index + 1);
  const parts = [`# 文档 Document ${index}\n`];
  let size = Buffer.byteLength(parts[0]!);
  while (size < bytes) {
    const paragraph = Array.from({ length: 3 + Math.floor(next() * 5) }, () => sentences[Math.floor(next() * sentences.length)]).join(' ');
    const block = `\n## 第${parts.length}节 Section ${parts.length} (${index})\n\n${paragraph}\n`;
    parts.push(block);
    size += Buffer.byteLength(block);
  }
  return parts.join('');
}

/** CPU seconds used so far by the worker, this process (the API), the Temporal server and PostgreSQL. */
function cpuSeconds(workerPid: number): Record<string, number> {
  const ticks = (pid: string | number) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return 0; // gone meanwhile
    }
  };
  const named = (name: string) =>
    readdirSync('/proc')
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
        } catch {
          return false;
        }
      })
      .reduce((sum, pid) => sum + ticks(pid), 0);
  return { worker: ticks(workerPid), api: ticks(process.pid), temporal: named('temporal'), postgres: named('postgres') };
}
const cpuSpent = (before: Record<string, number>, after: Record<string, number>) =>
  Object.entries(after)
    .map(([name, seconds]) => `${name} ${(seconds - (before[name] ?? 0)).toFixed(1)} s`)
    .join(', ');

/** Seeds set apart, so the two phases never share a document. */
const smallCorpus = (seedBase: number) => Array.from({ length: smallDocs }, (_, i) => makeDocument(seedBase + i, 1024 + Math.floor(random(seedBase + i)() * 3072)));
const phases = [
  { name: 'ingest-small', corpus: smallCorpus(0) },
  { name: 'ingest', corpus: [...smallCorpus(50_000), ...Array.from({ length: largeDocs }, (_, i) => makeDocument(100_000 + i, largeBytes))] },
];
const megabytesOf = (corpus: string[]) => corpus.reduce((sum, doc) => sum + Buffer.byteLength(doc), 0) / 1024 / 1024;
console.log(
  `corpus: ${smallDocs} small documents alone, then ${smallDocs} small + ${largeDocs} × ${(largeBytes / 1048576).toFixed(1)} MB mixed, ` +
    `${megabytesOf(phases[1]!.corpus).toFixed(2)} MB`,
);

// The peer is this process's embedder, configured as the worker's (one inference thread per core).
const t = await startTestPlatform('postgres', { withWorker: false });
const worker = spawnWorkerProcess(t.env);
const results: string[] = [];
try {
  // One document through first, so neither side pays the worker's start (model, workflow bundle, parse pool).
  const warmUp = await upload(t.api.url, makeDocument(999_999, 2048), 'warm-up.md');
  await waitForDocument(t.api.url, warmUp.body.id as string, 300_000);
  for (const { name, corpus } of phases) {
    // Ours: every document uploaded through the API (8 at a time), timed until the last is ready.
    const cpuBefore = cpuSeconds(worker.pid!);
    const started = performance.now();
    const queue = corpus.map((text, i) => ({ text, name: `${name}-${i}.md` }));
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let item = queue.shift(); item; item = queue.shift()) {
          const { status, body } = await upload(t.api.url, item.text, item.name);
          if (status !== 202) throw new Error(`upload ${item.name} answered ${status}: ${JSON.stringify(body)}`);
          ids.push(body.id as string);
        }
      }),
    );
    console.log(`${name}: all ${corpus.length} uploads accepted after ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (;;) {
      const { rows } = await t.platform.db.query<{ ready: number; failed: number }>(
        `select count(*) filter (where status = 'ready') as ready, count(*) filter (where status = 'failed') as failed
         from documents where id = any($1)`,
        [ids],
      );
      if (Number(rows[0]!.failed) > 0) throw new Error(`${rows[0]!.failed} documents failed`);
      if (Number(rows[0]!.ready) === corpus.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const oursSeconds = (performance.now() - started) / 1000;
    const cpu = cpuSpent(cpuBefore, cpuSeconds(worker.pid!));

    // Peer: the same embedder, alone, over exactly the chunks our pipeline stored, in the same batch size.
    const { rows: chunks } = await t.platform.db.query<{ text: string }>(
      'select text from chunks where document_id = any($1) order by document_id, idx',
      [ids],
    );
    const batch = t.platform.config.EMBEDDING_BATCH_SIZE;
    const peerStarted = performance.now();
    for (let i = 0; i < chunks.length; i += batch) await t.platform.embedder.embedPassages(chunks.slice(i, i + batch).map((c) => c.text));
    const peerSeconds = (performance.now() - peerStarted) / 1000;

    const megabytes = megabytesOf(corpus);
    const ours = megabytes / oursSeconds;
    const peer = megabytes / peerSeconds;
    console.log(`  ours: ${corpus.length} documents, ${chunks.length} chunks in ${oursSeconds.toFixed(1)} s = ${(corpus.length / oursSeconds).toFixed(2)} docs/s, ${ours.toFixed(4)} MB/s`);
    console.log(`  CPU while ours ran (2 cores × ${oursSeconds.toFixed(1)} s): ${cpu}`);
    console.log(`  peer: raw embedder on the same ${chunks.length} chunks in ${peerSeconds.toFixed(1)} s = ${peer.toFixed(4)} MB/s`);
    results.push(`${name}: ours=${ours.toFixed(4)} MB/s peer=${peer.toFixed(4)} MB/s ratio=${(ours / peer).toFixed(3)}`);
  }
  const peakRssMb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))![1]) / 1024;
  console.log(`worker peak RSS ${peakRssMb.toFixed(0)} MB`);
  // The mixed corpus first, the small documents' line last (it was added second).
  for (const line of [results[1], results[0]]) console.log(line);
} finally {
  // Gone before its database is dropped, so no connection of it is left to terminate.
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.kill('SIGKILL');
  await exited;
  await t.close();
}
