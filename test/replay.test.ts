import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { installWorkerRuntime } from '../worker/runtime.ts';
import { recordedHistoriesDir } from './helpers/histories.ts';

/**
 * Today's workflow code replays histories recorded by earlier code. A change that
 * would break the runs already in flight on a user's server (a step added,
 * removed or reordered without `patched()`) fails here as a determinism error.
 * The committed histories in test/fixtures/histories/ were recorded with the
 * workflow's earlier shapes (test/fixtures/histories/record.ts); histories the
 * integration suites of the same `npm test` run left behind are replayed too.
 */
const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
const committedDir = fileURLToPath(new URL('./fixtures/histories/', import.meta.url));
installWorkerRuntime('WARN');

function historyFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => path.join(dir, name));
}

type RecordedHistory = { workflowId: string; history: ReturnType<typeof historyFromJSON> };

/** The file name is `<workflowId>-<runId prefix>.json` (test/helpers/histories.ts). */
function load(file: string): RecordedHistory {
  const workflowId = path.basename(file, '.json').replace(/-[0-9a-f]{8}$/, '');
  return { workflowId, history: historyFromJSON(JSON.parse(readFileSync(file, 'utf8'))) };
}

/** Replays every history; returns one line per history that failed. */
async function replayAll(histories: RecordedHistory[]): Promise<string[]> {
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowsPath, replayName: 'replay-test' }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
  }
  assert.equal(replayed, histories.length, 'every history was replayed');
  return failures;
}

test('committed histories replay on today’s workflow code', { timeout: 300_000 }, async () => {
  const files = historyFiles(committedDir);
  assert.ok(files.length > 0, `no histories in ${committedDir}: record some with test/fixtures/histories/record.ts`);
  assert.deepEqual(await replayAll(files.map(load)), []);
});

test('a history whose steps differ from the code fails the replay', { timeout: 300_000 }, async () => {
  // Proves the check can fail: the first activity the history scheduled is renamed,
  // as if the workflow had once called another step there.
  const [file] = historyFiles(committedDir);
  assert.ok(file, `no histories in ${committedDir}`);
  const { workflowId, history } = load(file);
  const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes?.activityType);
  assert.ok(scheduled, `${file} schedules no activity`);
  scheduled.activityTaskScheduledEventAttributes!.activityType!.name = 'aStepThatNoLongerExists';
  const failures = await replayAll([{ workflowId, history }]);
  assert.equal(failures.length, 1);
  assert.match(failures[0]!, /DeterminismViolation|Nondeterminism|nondeterminism/i);
});

test('histories recorded by this run’s integration suites replay', { timeout: 300_000 }, async (t) => {
  const files = historyFiles(recordedHistoriesDir);
  if (files.length === 0) return t.skip(`nothing recorded in ${recordedHistoriesDir}`);
  assert.deepEqual(await replayAll(files.map(load)), []);
});
