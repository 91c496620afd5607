/** Starting, cancelling and asking generateReport workflows: their id, task queue, search attributes and id policies. */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { searchAttributes } from '../workflows/definitions.ts';
import { reportWorkflowId, type GenerateReportInput } from '../workflows/report-definitions.ts';
import { WorkflowEngineUnavailableError } from './documents.ts';

export interface ReportWorkflows {
  /** Starts the report's workflow, or joins the run already open under its id. */
  start(reportId: string, tenant: string): Promise<string>;
  /** Asks the run to stop; it records `cancelled` and removes its files itself. False when no run is open. */
  cancel(reportId: string): Promise<boolean>;
}

export function createReportWorkflows(temporal: Client, taskQueue: string): ReportWorkflows {
  return {
    async start(reportId, tenant) {
      const workflowId = reportWorkflowId(reportId);
      try {
        await temporal.workflow.start('generateReport', {
          taskQueue,
          workflowId,
          args: [{ reportId } satisfies GenerateReportInput],
          workflowIdConflictPolicy: 'USE_EXISTING',
          // One report, one run: a finished report is never made again under its id.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: searchAttributes.jobKind, value: 'report' },
            { key: searchAttributes.jobStatus, value: 'running' },
            { key: searchAttributes.tenant, value: tenant },
          ],
        });
        return workflowId;
      } catch (error) {
        // The run exists and has ended (a repeated Idempotency-Key after the report finished): nothing to start.
        if (error instanceof WorkflowExecutionAlreadyStartedError) return workflowId;
        throw new WorkflowEngineUnavailableError(error);
      }
    },

    async cancel(reportId) {
      try {
        await temporal.workflow.getHandle(reportWorkflowId(reportId)).cancel();
        return true;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false;
        throw new WorkflowEngineUnavailableError(error);
      }
    },
  };
}
