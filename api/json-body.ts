import express, { type Request, type Response } from 'express';
import { HttpProblem } from './problem.ts';

/** How a body over the limit is answered: the code and detail differ between uploads and small requests. */
export interface TooLarge {
  code: string;
  detail: string;
}

/**
 * Reads a JSON body up to `limitBytes` (whole, in memory: JSON uploads are for
 * small documents), answering its failures as problems with codes.
 */
export function createJsonBodyReader(limitBytes: number, tooLarge: TooLarge) {
  const parse = express.json({ limit: limitBytes, strict: true });
  return (req: Request, res: Response): Promise<unknown> =>
    new Promise((resolve, reject) => {
      parse(req, res, (error?: unknown) => (error ? reject(toBodyProblem(error, tooLarge)) : resolve(req.body)));
    });
}

function toBodyProblem(error: unknown, tooLarge: TooLarge): unknown {
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large') return new HttpProblem(413, 'Content too large', tooLarge.detail, { code: tooLarge.code });
  if (type === 'entity.parse.failed') return HttpProblem.invalid([{ field: '(body)', detail: 'not valid JSON' }]);
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return new HttpProblem(415, 'Unsupported media type', 'send JSON as UTF-8, without content encoding', { code: 'E_UNSUPPORTED_MEDIA_TYPE' });
  }
  return error;
}
