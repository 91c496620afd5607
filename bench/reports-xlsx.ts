/**
 * bench/reports' Excel part: each run is a fresh child process
 * (bench/reports-xlsx-child.ts), so peak RSS is one writer's alone. The generator
 * alone runs first (`rows`), then ours and the peer in ABBA order, `runs` each.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface XlsxRun {
  mode: 'ours' | 'peer' | 'rows';
  rows: number;
  seconds: number;
  maxRssMB: number;
  bytes: number;
}

export interface XlsxTimes {
  rows: XlsxRun;
  ours: XlsxRun[];
  peer: XlsxRun[];
  problems: string[];
}

const child = fileURLToPath(new URL('./reports-xlsx-child.ts', import.meta.url));

async function runChild(mode: XlsxRun['mode'], orders: number, seed: string, file: string): Promise<XlsxRun> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, mode, String(orders), seed, file], {
    maxBuffer: 1 << 20,
    env: process.env,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as XlsxRun;
}

export async function benchXlsx(options: { orders: number; seed: string; runs: number; ours: boolean; log: (line: string) => void }): Promise<XlsxTimes> {
  const { orders, seed, runs, log } = options;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-reports-xlsx-'));
  const problems: string[] = [];
  try {
    const rows = await runChild('rows', orders, seed, '');
    log(`  rows only (generator): ${rows.rows} rows in ${rows.seconds.toFixed(1)} s, peak RSS ${rows.maxRssMB.toFixed(0)} MB`);
    const times: XlsxTimes = { rows, ours: [], peer: [], problems };
    const modes: ('ours' | 'peer')[] = options.ours ? ['ours', 'peer'] : ['peer'];
    for (let round = 0; round < runs; round++) {
      for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
        const file = path.join(dir, `${mode}-${round}.xlsx`);
        try {
          const run = await runChild(mode, orders, seed, file);
          times[mode].push(run);
          log(`  ${mode} #${round + 1}: ${run.rows} rows in ${run.seconds.toFixed(1)} s, peak RSS ${run.maxRssMB.toFixed(0)} MB, ${(run.bytes / 2 ** 20).toFixed(1)} MB file`);
          if (run.rows !== orders) problems.push(`${mode} wrote ${run.rows} rows, not ${orders}`);
        } catch (error) {
          problems.push(`${mode} failed: ${(error as Error).message.split('\n').slice(0, 6).join(' ')}`);
          log(`  ${mode} #${round + 1} FAILED: ${(error as Error).message}`);
        } finally {
          rmSync(file, { force: true });
        }
      }
    }
    return times;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
