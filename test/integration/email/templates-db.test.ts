/**
 * The email API's database pieces on both engines: the template repository and
 * the attachment check (which reads reports and documents). The API suite runs on
 * PostgreSQL through HTTP; this one makes sure the same SQL holds on PGlite.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../../lib/db/index.ts';
import { insertDocumentIfNew } from '../../../lib/documents/repository.ts';
import { checkAttachments } from '../../../lib/email/attachment-check.ts';
import { newEmailTemplateId } from '../../../lib/email/ids.ts';
import {
  deleteEmailTemplate,
  getEmailTemplate,
  getEmailTemplateByName,
  insertEmailTemplate,
  listEmailTemplates,
  updateEmailTemplate,
} from '../../../lib/email/template-repository.ts';
import { EmailInputError } from '../../../lib/email/templates.ts';
import { EMAIL_LIMITS } from '../../../lib/email/types.ts';
import { finishReport, insertReport } from '../../../lib/reports/repository.ts';
import type { ReportSpec } from '../../../lib/reports/types.ts';
import { engines, openTestDatabase } from '../../helpers/platform.ts';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const fields = (name: string) => ({
  name,
  description: null,
  defaultLocale: 'zh-CN',
  locales: { 'zh-CN': { subject: '你好 {{name}}', text: '正文' }, en: { subject: 'Hello {{name}}', html: '<p>{{name}}</p>' } },
});

async function refusedFields(work: Promise<unknown>): Promise<{ fields: string[]; status: number }> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof EmailInputError, String(error));
    return { fields: error.errors.map((e) => e.field), status: error.status };
  }
  return assert.fail('expected the attachments to be refused');
}

for (const engine of engines) {
  describe(`email templates and attachment checks (${engine})`, () => {
    let db: Database;
    let close: () => Promise<void>;
    before(async () => ({ db, close } = await openTestDatabase(engine)));
    after(async () => close?.());

    test('templates: insert, read by id and name, page, replace, name conflicts, per tenant, delete', async () => {
      const ids = [1, 2, 3].map((n) => `etpl_${hex(n, 24)}`);
      for (const [i, id] of ids.entries()) await insertEmailTemplate(db, 'default', id, fields(`t${i}`));
      await insertEmailTemplate(db, 'acme', newEmailTemplateId(), fields('t0')); // another tenant may use the same name
      await assert.rejects(insertEmailTemplate(db, 'default', newEmailTemplateId(), fields('t0')), { code: 'E_EMAIL_TEMPLATE_EXISTS' });
      const read = await getEmailTemplate(db, 'default', ids[0]!);
      assert.deepEqual(read?.locales, fields('t0').locales);
      assert.equal(read?.defaultLocale, 'zh-CN');
      assert.equal((await getEmailTemplateByName(db, 'default', 't1'))?.id, ids[1]);
      assert.equal(await getEmailTemplate(db, 'acme', ids[0]!), undefined, 'another tenant’s template is absent');
      const first = await listEmailTemplates(db, 'default', { limit: 2 });
      assert.deepEqual(first.items.map((t) => t.id), ids.slice(0, 2));
      const second = await listEmailTemplates(db, 'default', { limit: 2, after: first.nextAfter });
      assert.deepEqual([second.items.map((t) => t.id), second.nextAfter], [ids.slice(2), undefined]);
      const updated = await updateEmailTemplate(db, 'default', ids[0]!, { ...fields('renamed'), defaultLocale: 'en' });
      assert.equal(updated?.name, 'renamed');
      assert.ok(updated!.updatedAt >= updated!.createdAt);
      await assert.rejects(updateEmailTemplate(db, 'default', ids[0]!, fields('t1')), { code: 'E_EMAIL_TEMPLATE_EXISTS' });
      assert.equal(await updateEmailTemplate(db, 'acme', ids[0]!, fields('x')), undefined);
      assert.equal(await deleteEmailTemplate(db, 'acme', ids[0]!), false);
      assert.equal(await deleteEmailTemplate(db, 'default', ids[0]!), true);
      assert.equal(await getEmailTemplate(db, 'default', ids[0]!), undefined);
    });

    test('attachments: a succeeded report with that file, a document not being deleted; else the field is named', async () => {
      const spec = { title: 'r', source: 'orders', dimensions: [], measures: [], filters: [], formats: ['csv'] } as unknown as ReportSpec;
      const report = (n: number) => `rpt_${hex(n, 24)}`;
      await insertReport(db, { id: report(1), tenant: 'default', spec, workflowId: 'w1' });
      await insertReport(db, { id: report(2), tenant: 'default', spec, workflowId: 'w2' });
      await finishReport(db, report(2), { status: 'succeeded', artifacts: [{ format: 'csv', bytes: 120, sha256: 'a'.repeat(64), key: 'reports/x.csv' }] });
      await insertReport(db, { id: report(3), tenant: 'default', spec, workflowId: 'w3' });
      await finishReport(db, report(3), { status: 'succeeded', artifacts: [{ format: 'csv', bytes: EMAIL_LIMITS.attachmentBytes, sha256: 'b'.repeat(64), key: 'reports/y.csv' }] });
      const doc = (n: number) => hex(n, 64);
      for (const n of [1, 2]) {
        await insertDocumentIfNew(db, {
          id: doc(n),
          contentSha256: doc(n),
          title: null,
          source: null,
          tags: [],
          filename: `f${n}.md`,
          docType: 'md',
          sizeBytes: 50,
          blobKey: `documents/${n}`,
          workflowId: `ingest-${n}`,
        });
      }
      await db.query(`update documents set status = 'deleting' where id = $1`, [doc(2)]);

      assert.equal(await checkAttachments(db, 'default', [{ reportId: report(2), format: 'csv' }, { documentId: doc(1) }]), 170);
      const refused = await refusedFields(
        checkAttachments(db, 'default', [
          { reportId: report(9), format: 'csv' },
          { reportId: report(1), format: 'csv' },
          { reportId: report(2), format: 'pdf' },
          { documentId: doc(9) },
          { documentId: doc(2) },
          { reportId: report(2), format: 'csv' },
          { reportId: report(2), format: 'csv' },
        ]),
      );
      assert.deepEqual(refused, {
        fields: ['attachments.0.reportId', 'attachments.1.reportId', 'attachments.2.format', 'attachments.3.documentId', 'attachments.4.documentId', 'attachments.6'],
        status: 400,
      });
      assert.deepEqual(await refusedFields(checkAttachments(db, 'acme', [{ reportId: report(2), format: 'csv' }, { documentId: doc(1) }])), {
        fields: ['attachments.0.reportId', 'attachments.1.documentId'],
        status: 400,
      });
      assert.deepEqual(await refusedFields(checkAttachments(db, 'default', [{ reportId: report(3), format: 'csv' }, { documentId: doc(1) }])), {
        fields: ['attachments'],
        status: 413,
      });
    });
  });
}
