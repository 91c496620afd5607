/** Starting sendEmail workflows: their id, task queue, search attributes and id policies. */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { searchAttributes } from '../workflows/definitions.ts';
import { emailWorkflowId, type SendEmailInput } from '../workflows/email-definitions.ts';
import { WorkflowEngineUnavailableError } from './documents.ts';

export interface EmailWorkflows {
  /** Starts the email's workflow, or joins the run already open under its id; returns the workflow id. */
  start(emailId: string, tenant: string): Promise<string>;
}

export function createEmailWorkflows(temporal: Client, taskQueue: string): EmailWorkflows {
  return {
    async start(emailId, tenant) {
      const workflowId = emailWorkflowId(emailId);
      try {
        await temporal.workflow.start('sendEmail', {
          taskQueue,
          workflowId,
          args: [{ emailId } satisfies SendEmailInput],
          workflowIdConflictPolicy: 'USE_EXISTING',
          // One email, one run: a finished email is never sent again under its id.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: searchAttributes.jobKind, value: 'email' },
            { key: searchAttributes.jobStatus, value: 'running' },
            { key: searchAttributes.tenant, value: tenant },
          ],
        });
        return workflowId;
      } catch (error) {
        // The run exists and has ended (a repeated Idempotency-Key after the email went out): nothing to start.
        if (error instanceof WorkflowExecutionAlreadyStartedError) return workflowId;
        throw new WorkflowEngineUnavailableError(error);
      }
    },
  };
}
