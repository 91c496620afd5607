import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../lib/config.ts';

test('an empty environment gives working embedded defaults', () => {
  const config = loadConfig({});
  assert.equal(config.PORT, 3000);
  assert.equal(config.DATABASE_URL, undefined);
  assert.equal(config.MAX_UPLOAD_SIZE, 50 * 1024 * 1024);
  assert.equal(config.EMBEDDING_PROVIDER, 'onnx');
  assert.equal(config.INGEST_TASK_QUEUE, 'ingest');
});

test('sizes are read with units', () => {
  assert.equal(loadConfig({ MAX_UPLOAD_SIZE: '64kb' }).MAX_UPLOAD_SIZE, 65536);
  assert.equal(loadConfig({ MAX_UPLOAD_SIZE: '1.5MB' }).MAX_UPLOAD_SIZE, 1.5 * 1024 * 1024);
  assert.equal(loadConfig({ MAX_UPLOAD_SIZE: '1000' }).MAX_UPLOAD_SIZE, 1000);
});

test('a bad value stops start with a message naming every bad option', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty', MAX_UPLOAD_SIZE: 'lots' }), (error: Error) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /PORT/);
    assert.match(error.message, /MAX_UPLOAD_SIZE/);
    return true;
  });
});

test('contradictory options are refused by name', () => {
  assert.throws(() => loadConfig({ CHUNK_MAX_TOKENS: '100', CHUNK_OVERLAP_TOKENS: '100' }), /CHUNK_OVERLAP_TOKENS/);
  assert.throws(() => loadConfig({ EMBEDDING_PROVIDER: 'openai' }), /EMBEDDING_BASE_URL/);
  assert.throws(() => loadConfig({ EMBEDDING_PROVIDER: 'magic' }), /EMBEDDING_PROVIDER/);
});

test('OCR limits have defaults and refuse a malformed language list', () => {
  const config = loadConfig({});
  assert.deepEqual([config.OCR_MAX_PAGES, config.OCR_PAGE_TIMEOUT_MS, config.OCR_TOTAL_TIMEOUT_MS, config.OCR_LANGUAGES], [50, 60_000, 600_000, 'chi_sim+eng']);
  assert.equal(loadConfig({ OCR_LANGUAGES: 'eng' }).OCR_LANGUAGES, 'eng');
  assert.throws(() => loadConfig({ OCR_LANGUAGES: 'chi_sim eng; rm -rf /' }), /OCR_LANGUAGES/);
  assert.throws(() => loadConfig({ OCR_MAX_PAGES: '0' }), /OCR_MAX_PAGES/);
});
