/** Shared by the backup suites: a Temporal client, running a backup to its end, and damaging a stored part. */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createBackupWorkflows } from '../../../client/backups.ts';
import type { BlobStore } from '../../../lib/blob/port.ts';
import type { Queryable } from '../../../lib/db/index.ts';

export async function connectClient(address: string): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection }), close: () => connection.close() };
}

/** Starts a manual backup and waits for its workflow; the result or the failure's message. */
export async function backupAndWait(client: Client, taskQueue: string, db?: Queryable) {
  const started = performance.now();
  const { backupId, workflowId } = await createBackupWorkflows(client, taskQueue, db).start({ kind: 'manual' });
  const outcome = await client.workflow
    .getHandle(workflowId)
    .result()
    .then(
      (result: { status: string }) => ({ status: result.status }),
      (error: Error) => ({ status: 'failed', message: String((error.cause as Error | undefined)?.message ?? error.message) }),
    );
  return { backupId, workflowId, ms: Math.round(performance.now() - started), ...outcome };
}

/** Waits for a workflow; its failure's innermost message (the ApplicationFailure's) when it fails. */
export async function outcomeOf(client: Client, workflowId: string): Promise<{ ok: boolean; message?: string; type?: string }> {
  try {
    await client.workflow.getHandle(workflowId).result();
    return { ok: true };
  } catch (error) {
    const cause = (error as { cause?: { message?: string; type?: string } }).cause;
    return { ok: false, message: cause?.message ?? String(error), type: cause?.type };
  }
}

/** Every blob key under `prefix`, sorted. */
export async function keysUnder(blobs: BlobStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of blobs.list(prefix)) keys.push(key);
  return keys.sort();
}

/** Flips one byte in the middle of a stored blob, as a failing disk would. */
export async function flipByte(blobDir: string, key: string): Promise<void> {
  const file = await open(path.join(blobDir, key), 'r+');
  try {
    const { size } = await file.stat();
    const at = Math.floor(size / 2);
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, at);
    byte[0] = byte[0]! ^ 0xff;
    await file.write(byte, 0, 1, at);
  } finally {
    await file.close();
  }
}
