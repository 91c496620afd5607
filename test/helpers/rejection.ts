import assert from 'node:assert/strict';
import { DocumentRejectedError } from '../../lib/errors.ts';

/** For `assert.rejects`: the document was refused with this code (and, if given, a message matching it). */
export function rejection(code: string, message?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof DocumentRejectedError, `expected a DocumentRejectedError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  };
}
