import type { Context } from '@temporalio/activity';

/**
 * Heartbeats every 5 s until the returned function is called, with the latest
 * `details()`: work on another thread or process (a parse, the model, Tesseract)
 * leaves this event loop free, so the beats prove the worker alive on time while
 * the heartbeat timeouts stay short. Returns the function that stops it.
 */
export function keepBeating(context: Context, details: () => unknown = () => undefined): () => void {
  if (context.info.isLocal) return () => {};
  const timer = setInterval(() => context.heartbeat(details()), 5_000);
  return () => clearInterval(timer);
}

/** One heartbeat with progress; none for a local activity, which has no heartbeat (its workflow task stands for it). */
export function beat(context: Context, details: unknown): void {
  if (!context.info.isLocal) context.heartbeat(details);
}
