import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

/**
 * The SDK logs every worker state change at INFO; WARN keeps the signal
 * (failures, retries) readable. LOG_LEVEL overrides it. Must run before the
 * first connection, and only once per process.
 */
export function installWorkerRuntime(): void {
  if (installed) return;
  installed = true;
  const level = (process.env.LOG_LEVEL ?? 'WARN').toUpperCase() as 'WARN';
  Runtime.install({ logger: new DefaultLogger(level) });
}
