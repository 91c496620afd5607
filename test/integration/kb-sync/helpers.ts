/** Shared by the knowledge-base sync suites: the API calls, waiting for a sync, and counting workflow runs. */
import { execFileSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { postJson } from '../../helpers/multipart.ts';

export { postJson };

export async function getJson(apiUrl: string, path: string) {
  const response = await fetch(`${apiUrl}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** Polls GET …/sync until the sync with `id` has finished; returns its view. */
export async function waitForSync(apiUrl: string, kb: string, id: string, timeoutMs = 240_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await getJson(apiUrl, `/v1/knowledge-bases/${kb}/sync`);
    if (status === 200 && body.id === id && ['succeeded', 'failed'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`sync ${id} of ${kb} not finished after ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every document of a knowledge base (its view), by filename. */
export async function documentsOf(apiUrl: string, kb: string): Promise<Map<string, Record<string, any>>> {
  const { body } = await getJson(apiUrl, `/v1/documents?knowledgeBase=${kb}&limit=100`);
  return new Map((body.items as Record<string, any>[]).map((d) => [d.filename as string, d]));
}

/** How many workflow runs had this id on this task queue (each ingestion of a document is one). */
export async function runsOf(temporalAddress: string, workflowId: string, taskQueue: string): Promise<number> {
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const client = new Client({ connection });
    let n = 0;
    for await (const _ of client.workflow.list({ query: `WorkflowId = '${workflowId}' AND TaskQueue = '${taskQueue}'` })) n++;
    return n;
  } finally {
    await connection.close();
  }
}

/** git in a directory, as a person would run it (fixed author, no global config). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd },
  });
}
