import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Runtime, type LogLevel, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

let installed = false;

/** Sets the SDK's log level; must run before the first connection, and only once per process. */
export function installWorkerRuntime(level: LogLevel): void {
  if (installed) return;
  installed = true;
  Runtime.install({ logger: new DefaultLogger(level) });
}

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/**
 * The workflow code, bundled once per process and shared by every task queue's
 * worker: each bundle costs seconds of webpack, and the four workers run the same
 * `workflows/index.ts`. Call after `connectWorker` (it sets up the runtime's logger).
 */
export function sharedWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: Runtime.instance().logger });
  return bundle;
}
