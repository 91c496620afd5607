import type { z } from 'zod';
import { HttpProblem } from './problem.ts';

/** Cursors are base64url JSON the API wrote; anything else is a 400 naming `cursor`. */
export function decodeCursor<S extends z.ZodType>(schema: S, cursor: string): z.infer<S> {
  try {
    const decoded = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (decoded.success) return decoded.data;
  } catch {
    // not base64url JSON: answered below like any other foreign cursor
  }
  throw HttpProblem.invalid([{ field: 'cursor', detail: 'not a cursor this API returned' }]);
}

export function encodeCursor(payload: unknown): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}
