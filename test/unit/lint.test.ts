import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

/**
 * The lint rules are guard rails only if they bite: these snippets are linted
 * with the project's own eslint.config.js, as if they were files in the repo.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const probes = ['workflows/lint-probe.ts', 'lib/lint-probe.ts', 'test/lint-probe.ts'];
// The probes exist only in memory, so the type-aware parser gets a default project for them.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { projectService: { allowDefaultProject: probes } } } },
});

async function rulesHit(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  const fatal = result!.messages.find((m) => m.fatal);
  assert.equal(fatal, undefined, `parse error: ${fatal?.message}`);
  return result!.messages.filter((m) => m.severity === 2).map((m) => m.ruleId ?? '');
}

const RESTRICTED = '@typescript-eslint/no-restricted-imports';
const FLOATING = '@typescript-eslint/no-floating-promises';

describe('lint rules for workflow code', { timeout: 120_000 }, () => {
  test('Node built-ins are refused in workflows/, by node: and by bare name', async () => {
    assert.deepEqual(await rulesHit(`import fs from 'node:fs';\nexport const n = fs.constants.F_OK;\n`, 'workflows/lint-probe.ts'), [RESTRICTED]);
    assert.deepEqual(await rulesHit(`import { join } from 'path';\nexport const p = join('a', 'b');\n`, 'workflows/lint-probe.ts'), [RESTRICTED]);
    assert.deepEqual(await rulesHit(`import { readFile } from 'fs/promises';\nexport const r = readFile;\n`, 'workflows/lint-probe.ts'), [RESTRICTED]);
  });

  test('activities, lib/, api/ and worker/ only by type in workflows/', async () => {
    const valueImport = `import { createIngestActivities } from '../activities/ingest.ts';\nexport const a = createIngestActivities;\n`;
    assert.deepEqual(await rulesHit(valueImport, 'workflows/lint-probe.ts'), [RESTRICTED]);
    const typeImport = `import type { createIngestActivities } from '../activities/ingest.ts';\nexport type A = ReturnType<typeof createIngestActivities>;\n`;
    assert.deepEqual(await rulesHit(typeImport, 'workflows/lint-probe.ts'), []);
    assert.deepEqual(await rulesHit(`import { loadConfig } from '../lib/config.ts';\nexport const c = loadConfig;\n`, 'workflows/lint-probe.ts'), [RESTRICTED]);
    assert.deepEqual(await rulesHit(`import type { Config } from '../lib/config.ts';\nexport type C = Config;\n`, 'workflows/lint-probe.ts'), []);
  });

  test('the same imports are fine outside workflows/', async () => {
    assert.deepEqual(await rulesHit(`import fs from 'node:fs';\nexport const n = fs.constants.F_OK;\n`, 'lib/lint-probe.ts'), []);
  });

  test('a floating promise is an error everywhere, an awaited one is not', async () => {
    const floating = `async function save(): Promise<void> {}\nexport function run(): void {\n  save();\n}\n`;
    assert.deepEqual(await rulesHit(floating, 'lib/lint-probe.ts'), [FLOATING]);
    assert.deepEqual(await rulesHit(floating, 'workflows/lint-probe.ts'), [FLOATING]);
    assert.deepEqual(await rulesHit(floating, 'test/lint-probe.ts'), [FLOATING]);
    const awaited = `async function save(): Promise<void> {}\nexport async function run(): Promise<void> {\n  await save();\n}\n`;
    assert.deepEqual(await rulesHit(awaited, 'lib/lint-probe.ts'), []);
  });
});
