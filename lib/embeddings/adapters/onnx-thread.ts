/**
 * The inference thread: loads the model once, then answers `{ id, rows }` with
 * `{ id, vectors }` one message at a time, so the main thread's event loop
 * (HTTP, database, Temporal heartbeats) never waits on the model.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadBgeSession } from './onnx-session.ts';

const { onnxFile } = workerData as { onnxFile: string };
const port = parentPort!;

try {
  const session = await loadBgeSession(onnxFile);
  port.on('message', async (message: { id: number; rows: Int32Array[] }) => {
    try {
      const vectors = await session.embedRows(message.rows);
      port.postMessage({ id: message.id, vectors }, vectors.map((v) => v.buffer as ArrayBuffer));
    } catch (error) {
      port.postMessage({ id: message.id, error: (error as Error).message });
    }
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ ready: false, error: (error as Error).message });
}
