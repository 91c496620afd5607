import { once } from 'node:events';
import { finished } from 'node:stream/promises';

/**
 * The end of the stream a report is written to. It resolves once `out` has
 * finished and rejects as soon as `out` fails or closes early (a cancelled
 * activity destroys it): a writer waiting on it, or on a `drain` that will never
 * come, gives up instead of hanging. The rejection is always handled, so a
 * writer that failed first does not also leave an unhandled one behind.
 */
export function outputDone(out: NodeJS.WritableStream): Promise<void> {
  const done = finished(out);
  done.catch(() => {});
  return done;
}

/** Writes `text`, waiting for `drain` when `out` is full (backpressure from a slow reader). */
export async function writeText(out: NodeJS.WritableStream, text: string, done: Promise<void>): Promise<void> {
  if (out.write(text)) return;
  await Promise.race([once(out as NodeJS.EventEmitter, 'drain'), done]);
}
