/**
 * What `npm start` sets up besides the samples, so a person sees every capability
 * at work in the Web UIs: the default Schedules (the nightly backup, an hourly sync
 * of the sample knowledge base from samples/) and a first email, caught by MailDev.
 * Each step is safe to repeat on every start.
 */
import { Client } from '@temporalio/client';
import type { Connection } from '@temporalio/client';
import { createEmailWorkflows } from '../client/emails.ts';
import { createScheduleControl } from '../client/schedules.ts';
import type { Config } from '../lib/config.ts';
import type { Database } from '../lib/db/index.ts';
import { newEmailId } from '../lib/email/ids.ts';
import { enqueueEmail } from '../lib/email/outbox.ts';
import { emailWorkflowId } from '../workflows/email-definitions.ts';
import { addKnowledgeBaseSource } from '../lib/kb-sync/sources.ts';
import { createKnowledgeBase, DEFAULT_TENANT, getKnowledgeBase } from '../lib/knowledge-bases/repository.ts';

/** The knowledge base kept in step with samples/ by the hourly Schedule. */
export const SAMPLE_KNOWLEDGE_BASE = 'samples';
export const NIGHTLY_BACKUP_SCHEDULE = 'backup-nightly';
export const SAMPLE_SYNC_SCHEDULE = 'samples-hourly';

/**
 * The nightly backup (02:00 in ANALYTICS_TIME_ZONE) and the hourly sync of the
 * `samples` knowledge base from `samplesDir`; on the first start (the knowledge
 * base still empty) the sync is triggered at once rather than at the next hour.
 */
export async function ensureDefaultSchedules(db: Database, temporal: Connection, config: Config, samplesDir: string): Promise<string[]> {
  const control = createScheduleControl(new Client({ connection: temporal, namespace: config.TEMPORAL_NAMESPACE }), {
    INGEST_TASK_QUEUE: config.INGEST_TASK_QUEUE,
    REPORTS_TASK_QUEUE: config.REPORTS_TASK_QUEUE,
    MAINTENANCE_TASK_QUEUE: config.MAINTENANCE_TASK_QUEUE,
  });
  const timezone = config.ANALYTICS_TIME_ZONE;
  await control.create({ id: NIGHTLY_BACKUP_SCHEDULE, tenant: DEFAULT_TENANT, timing: { cron: '0 2 * * *', timezone }, params: { kind: 'backup' }, ifExists: 'update' });

  const kb =
    (await getKnowledgeBase(db, DEFAULT_TENANT, SAMPLE_KNOWLEDGE_BASE)) ??
    (await createKnowledgeBase(db, DEFAULT_TENANT, {
      id: SAMPLE_KNOWLEDGE_BASE,
      name: 'Samples 示例',
      description: 'Kept in step with the repository’s samples/ directory by the hourly kb-sync Schedule',
    }));
  await addKnowledgeBaseSource(db, DEFAULT_TENANT, SAMPLE_KNOWLEDGE_BASE, { type: 'directory', path: samplesDir });
  await control.create({
    id: SAMPLE_SYNC_SCHEDULE,
    tenant: DEFAULT_TENANT,
    timing: { cron: '0 * * * *', timezone },
    params: { kind: 'kb-sync', knowledgeBaseId: SAMPLE_KNOWLEDGE_BASE },
    ifExists: 'update',
  });
  if (kb.documentCount === 0) await control.trigger(DEFAULT_TENANT, SAMPLE_SYNC_SCHEDULE);
  return [NIGHTLY_BACKUP_SCHEDULE, SAMPLE_SYNC_SCHEDULE];
}

/**
 * A welcome message through the same outbox and sendEmail workflow as POST /v1/emails,
 * one per start (MailDev keeps its mail in memory, so each start's mailbox shows one).
 */
export async function sendWelcomeEmail(db: Database, temporal: Connection, config: Config, lines: { apiUrl: string; temporalUi: string; mailUi?: string }): Promise<string> {
  const id = newEmailId();
  const text = [
    'AI Stack jobs is running. 平台已启动。',
    '',
    `API docs:        ${lines.apiUrl}/docs`,
    `Temporal Web UI: ${lines.temporalUi} (Schedules: ${lines.temporalUi}/namespaces/${config.TEMPORAL_NAMESPACE}/schedules)`,
    ...(lines.mailUi ? [`Mail:            ${lines.mailUi}`] : []),
    '',
    `Default Schedules: ${NIGHTLY_BACKUP_SCHEDULE} (02:00 ${config.ANALYTICS_TIME_ZONE}), ${SAMPLE_SYNC_SCHEDULE} (every hour).`,
  ].join('\n');
  await enqueueEmail(db, {
    id,
    tenant: DEFAULT_TENANT,
    draft: {
      to: [{ email: 'developer@aistack.local', name: 'AI Stack developer' }],
      cc: [],
      bcc: [],
      subject: 'AI Stack jobs is running 平台已启动',
      text,
      attachments: [],
      mode: 'single',
    },
    messageIdDomain: config.EMAIL_MESSAGE_ID_DOMAIN,
    workflowId: emailWorkflowId(id),
  });
  return createEmailWorkflows(new Client({ connection: temporal, namespace: config.TEMPORAL_NAMESPACE }), config.EMAIL_TASK_QUEUE).start(id, DEFAULT_TENANT);
}
