import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { HttpProblem } from './problem.ts';

export interface MultipartLimits {
  fields: number;
  fieldSize: number;
}

export interface ParsedUpload<T> {
  /** Every text field; repeated names keep each value. */
  fields: Map<string, string[]>;
  /** What `receive` made of the one `file` part. */
  file: T;
  filename?: string;
}

interface FileSink<T> {
  /** Consumes the file's stream as it arrives (never buffered whole). */
  receive: (stream: Readable) => Promise<T>;
  /** Undoes `receive` when the request fails after the file was stored. */
  discard: (value: T) => Promise<void>;
}

/** Reads a multipart form with exactly one part named `file` plus small text fields. */
export function parseMultipart<T>(req: Request, limits: MultipartLimits, sink: FileSink<T>): Promise<ParsedUpload<T>> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // curl and browsers send the name as raw UTF-8 in `filename="…"`; busboy would read those bytes as latin1.
        // `filename*=UTF-8''…` (RFC 5987) names its own charset and is decoded with it.
        defParamCharset: 'utf8',
        limits: { files: 1, fields: limits.fields, fieldSize: limits.fieldSize, parts: limits.fields + 1 },
      });
    } catch (cause) {
      return reject(HttpProblem.invalid([{ field: 'content-type', detail: (cause as Error).message }]));
    }
    const fields = new Map<string, string[]>();
    let received: Promise<T> | undefined;
    let filename: string | undefined;
    let fileStream: Readable | undefined;
    let finished = false;

    /** Stops reading, removes anything stored, and answers with `error` (only once). */
    const fail = async (error: unknown) => {
      if (finished) return;
      finished = true;
      req.unpipe(parser);
      req.resume(); // drain the rest so the client can read our answer
      fileStream?.destroy(new Error('upload abandoned')); // ends `receive`, which removes its partial blob
      const value = await received?.catch(() => undefined);
      if (value !== undefined) await sink.discard(value).catch(() => {});
      reject(error);
    };
    const invalid = (field: string, detail: string) => fail(HttpProblem.invalid([{ field, detail }]));

    parser.on('file', (name, stream, info) => {
      if (name !== 'file') {
        stream.resume();
        return invalid(name, 'unexpected file part; send the document as "file"');
      }
      filename = info.filename === undefined ? undefined : decodeBrowserEscapes(info.filename);
      fileStream = stream;
      received = sink.receive(stream);
      received.catch(fail);
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return invalid(name, `longer than ${limits.fieldSize} bytes`);
      fields.set(name, [...(fields.get(name) ?? []), value]);
    });
    parser.on('filesLimit', () => invalid('file', 'send exactly one file'));
    parser.on('fieldsLimit', () => invalid('(body)', `at most ${limits.fields} fields`));
    parser.on('partsLimit', () => invalid('(body)', 'too many parts'));
    parser.on('error', (error) => invalid('(body)', `malformed multipart body: ${(error as Error).message}`));
    parser.on('close', async () => {
      if (finished) return;
      if (!received) return invalid('file', 'a multipart part named "file" is required');
      const value = await received.catch(() => undefined);
      if (finished || value === undefined) return; // `fail` already answered
      finished = true;
      resolve({ fields, file: value, filename });
    });
    req.on('aborted', () => fail(new HttpProblem(400, 'Upload aborted', 'the client closed the connection mid-upload')));
    req.pipe(parser);
  });
}

/**
 * Browsers escape `"`, CR and LF in a multipart file name as %22, %0D and %0A
 * (HTML's form encoding) and send the rest as raw UTF-8; some clients
 * percent-encode the whole UTF-8 name in `filename="…"`. Undo exactly those:
 * an ASCII name such as `100%25 done.txt` typed by a person stays as it is.
 */
export function decodeBrowserEscapes(name: string): string {
  if (!/%[0-9A-Fa-f]{2}/.test(name)) return name;
  const unescapeForm = (s: string) => s.replace(/%22/gi, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
  if (/[^\x20-\x7e]/.test(name)) return unescapeForm(name);
  let decoded: string;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    return unescapeForm(name); // not percent-encoded UTF-8 as a whole
  }
  return /[^\x00-\x7f]/.test(decoded) ? decoded : unescapeForm(name);
}
