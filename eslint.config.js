// ESLint (flat config) with typescript-eslint, type-aware: `npm run lint`, and
// `npm test` runs it after type-checking. Two guard rails matter most here:
// a promise nobody awaits loses its error (and in a workflow, its ordering),
// and workflow code runs in Temporal's deterministic sandbox, where Node's
// built-ins and the activities' side effects have no place.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node's built-ins by bare name (`fs`, `fs/promises`); `node:*` is matched by a pattern. */
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_') && !name.startsWith('node:'));

export default tseslint.config(
  { ignores: ['node_modules/**', 'test/fixtures/documents/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's top-level test()/describe() are awaited by the runner itself.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      // Text normalization strips control characters on purpose.
      'no-control-regex': 'off',
      // `_` marks an argument a signature requires but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests read loosely typed JSON bodies (`Record<string, any>`) on purpose.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Plain JavaScript sits outside tsconfig's include: no type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['workflows/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflows run in a deterministic sandbox: no Node built-ins; do the I/O in an activity.',
          })),
          patterns: [
            {
              group: ['node:*'],
              message: 'Workflows run in a deterministic sandbox: no Node built-ins; do the I/O in an activity.',
            },
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'Workflows see activities by type only: `import type` + proxyActivities<ReturnType<typeof createXActivities>>.',
            },
            {
              group: ['**/lib', '**/lib/**', '**/api', '**/api/**', '**/worker', '**/worker/**'],
              allowTypeImports: true,
              message: 'Workflows import only @temporalio/workflow, other workflows and types: lib/, api/ and worker/ do I/O.',
            },
            {
              group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'],
              allowTypeImports: true,
              message: 'Workflow code uses @temporalio/workflow; the client, worker and activity packages do not run in the sandbox.',
            },
          ],
        },
      ],
    },
  },
);
