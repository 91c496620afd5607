/**
 * gzip and brotli for answers worth compressing. The `compression` package
 * negotiates `Accept-Encoding` (q-values, `identity`, `*`) and adds
 * `Vary: Accept-Encoding`; this decides *what* is worth it.
 */
import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';

export interface CompressionOptions {
  /** Smallest body compressed, in bytes (default 1024): below it the headers cost more than they save. */
  thresholdBytes?: number;
}

/** Types that are compressed already (images, archives, PDF, media): compressing again only spends CPU. */
const COMPRESSED_TYPE = /^(image\/(?!svg)|audio\/|video\/|font\/woff|application\/(zip|gzip|x-gzip|x-bzip2|x-7z|x-rar|zstd|pdf|octet-stream|vnd\.openxmlformats))/i;

/** True when this answer should be compressed (when the client accepts it). */
export function worthCompressing(req: Request, res: Response): boolean {
  if (res.statusCode === 304 || res.statusCode === 204 || req.method === 'HEAD') return false;
  if (res.getHeader('Content-Encoding')) return false;
  const type = String(res.getHeader('Content-Type') ?? '');
  if (type && COMPRESSED_TYPE.test(type)) return false;
  return compression.filter(req, res);
}

/** The compression middleware; mount it first so it wraps every answer. */
export function createCompression(options: CompressionOptions = {}): RequestHandler {
  const threshold = options.thresholdBytes ?? 1024;
  if (!Number.isInteger(threshold) || threshold < 0) throw new Error('createCompression: thresholdBytes must be a non-negative integer');
  return compression({ threshold, filter: worthCompressing });
}
