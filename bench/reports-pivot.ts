/**
 * bench/reports' pivot part: each case of reports-pivot-cases.ts through our
 * pivot, as raw SQL, and in arquero (its own process), checked cell by cell
 * against the SQL first, then timed: a warm-up round, then `runs` rounds, the
 * three sides in a different order each round so none always runs on a cache
 * the one before warmed (the machine is shared and noisy).
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Database } from '../lib/db/index.ts';
import type { AnalyticsEngine } from '../lib/analytics/port.ts';
import type { ArqueroReply, ArqueroRequest } from './reports-arquero-child.ts';
import { cellsOfPivot, cellsOfSql, differences, PIVOT_CASES, type Cells } from './reports-pivot-cases.ts';
import type { PivotQuery } from './reports-ours.ts';

export interface PivotTimes {
  name: string;
  cells: number;
  /** Milliseconds per run, per side; absent: the side did not run. */
  ours?: number[];
  sql: number[];
  arquero?: number[];
  /** Disagreements with the SQL found before timing, described. */
  problems: string[];
}

export interface ArqueroMemory {
  rows: number;
  loadSeconds: number;
  heapMB: number;
  rssMB: number;
  maxRssMB?: number;
}

/** The arquero peer: a forked child holding every order in a dataframe, answering one message at a time. */
export async function startArquero(databaseUrl: string): Promise<{ ask(request: ArqueroRequest): Promise<ArqueroReply>; loaded: ArqueroMemory; child: ChildProcess }> {
  const child = fork(new URL('./reports-arquero-child.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx', '--expose-gc', '--max-old-space-size=8192'],
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl },
  });
  const replies: ((reply: ArqueroReply) => void)[] = [];
  let failed: Error | null = null;
  child.on('message', (reply: ArqueroReply) => replies.shift()?.(reply));
  child.on('exit', (code) => {
    failed = new Error(`the arquero child exited (${code})`);
    for (const waiting of replies.splice(0)) waiting({ ms: Number.NaN });
  });
  const next = () => new Promise<ArqueroReply>((resolve, reject) => (failed ? reject(failed) : replies.push(resolve)));
  const first = await next();
  if (!('loaded' in first)) throw new Error('the arquero child did not load');
  return {
    child,
    loaded: { ...first.loaded, loadSeconds: first.loaded.seconds },
    ask(request) {
      const reply = next();
      child.send(request);
      return reply;
    },
  };
}

export async function benchPivots(options: {
  db: Database;
  engine: AnalyticsEngine | null;
  pivotQuery: PivotQuery | null;
  arquero: Awaited<ReturnType<typeof startArquero>> | null;
  runs: number;
  log: (line: string) => void;
}): Promise<PivotTimes[]> {
  const { db, engine, pivotQuery, arquero, runs, log } = options;
  const results: PivotTimes[] = [];
  for (const [index, pivot] of PIVOT_CASES.entries()) {
    // A side may return its own measure of itself (arquero: without the IPC round trip).
    const sides: Record<string, () => Promise<number | void>> = {
      sql: async () => void (await db.query(pivot.sql, pivot.params)),
    };
    const problems: string[] = [];
    const expected = cellsOfSql((await db.query<Record<string, unknown>>(pivot.sql, pivot.params)).rows, pivot);
    const check = (side: string, actual: Cells) => {
      const diff = differences(expected, actual);
      log(`  ${pivot.name}: ${side} ${diff.count === 0 ? `agrees with the SQL on all ${expected.size} cells` : `DIFFERS in ${diff.count} of ${expected.size} cells`}`);
      if (diff.count > 0) problems.push(`${side}: ${diff.count} cells differ, e.g. ${diff.examples.join('; ')}`);
      for (const example of diff.examples) log(`    ${example}`);
    };
    if (engine && pivotQuery) {
      try {
        check('ours', cellsOfPivot(await pivotQuery(engine, pivot.request), pivot));
        sides.ours = async () => void (await pivotQuery(engine, pivot.request));
      } catch (error) {
        problems.push(`ours failed: ${(error as Error).message}`);
        log(`  ${pivot.name}: ours FAILED: ${(error as Error).stack}`);
      }
    }
    if (arquero) {
      const reply = await arquero.ask({ run: index, cells: true });
      if ('cells' in reply && reply.cells) check('arquero', new Map(reply.cells));
      sides.arquero = async () => {
        const timed = await arquero.ask({ run: index, cells: false });
        return 'ms' in timed ? timed.ms : Number.NaN;
      };
    }
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(sides).map((s) => [s, []]));
    const order = Object.keys(sides);
    for (let round = -1; round < runs; round++) {
      // Rotate who goes first; round -1 is the warm-up, not counted.
      const rotated = order.map((_, i) => order[(i + round + 1) % order.length]!);
      for (const side of rotated) {
        const started = performance.now();
        const own = await sides[side]!();
        if (round >= 0) times[side]!.push(typeof own === 'number' ? own : performance.now() - started);
      }
    }
    results.push({ name: pivot.name, cells: expected.size, ours: times.ours, sql: times.sql!, arquero: times.arquero, problems });
  }
  return results;
}
