/**
 * Schedules a suite made outlive it on the shared Temporal server and keep firing:
 * delete every Schedule whose runs go to one of the suite's task queues.
 */
import { Client, Connection } from '@temporalio/client';

export async function deleteSchedulesOf(env: Record<string, string>, address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233'): Promise<number> {
  const queues = new Set([env.INGEST_TASK_QUEUE, env.REPORTS_TASK_QUEUE, env.EMAIL_TASK_QUEUE, env.MAINTENANCE_TASK_QUEUE].filter(Boolean));
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    let deleted = 0;
    for await (const s of client.schedule.list()) {
      const memo = s.memo as { taskQueue?: string } | undefined;
      if (memo?.taskQueue && queues.has(memo.taskQueue)) {
        await client.schedule.getHandle(s.scheduleId).delete().catch(() => {});
        deleted++;
      }
    }
    return deleted;
  } finally {
    await connection.close();
  }
}
