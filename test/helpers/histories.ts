import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

/**
 * Where integration suites leave the histories of the runs they finished, for
 * the replay test to replay against today's workflow code in the same run.
 */
export const recordedHistoriesDir = path.join(process.env.AISTACK_STATE ?? '/tmp', 'recorded-histories');

/**
 * Saves the history of every closed run on `taskQueue` as `<dir>/<workflowId>-<run>.json`,
 * in the proto3 JSON the Web UI downloads. Returns how many were saved.
 */
export async function saveHistories(address: string, taskQueue: string, dir = recordedHistoriesDir): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    let saved = 0;
    for await (const run of client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus != 'Running'` })) {
      const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      const name = `${run.workflowId}-${run.runId.slice(0, 8)}.json`.replace(/[^\w.-]/g, '_');
      writeFileSync(path.join(dir, name), historyToJSON(history));
      saved++;
    }
    return saved;
  } finally {
    await connection.close();
  }
}
