/**
 * Our own OpenAI-compatible embeddings server around any Embedder: lets several
 * processes share one model in memory, and gives the OpenAI adapter a real peer
 * that computes real vectors in tests. Only `POST /v1/embeddings` is served.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../errors.ts';
import type { Embedder } from './port.ts';

export interface EmbeddingServerOptions {
  /** Serves this embedder; the server never closes it. */
  embedder: Embedder;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port (read the real one from `url`). */
  port?: number;
  /** Most inputs in one request. Default 256. */
  maxInputs?: number;
  /** Largest request body in bytes. Default 2 MiB. */
  maxBodyBytes?: number;
}

export interface EmbeddingServer {
  /** Base URL to give an OpenAI client, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Stops accepting connections and waits for requests in flight. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startEmbeddingServer(options: EmbeddingServerOptions): Promise<EmbeddingServer> {
  const { embedder } = options;
  const maxInputs = options.maxInputs ?? 256;
  const maxBodyBytes = options.maxBodyBytes ?? 2 * 1024 * 1024;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://server').pathname;
    if (path !== '/v1/embeddings') throw new HttpError(404, 'not_found', `no route ${path}; use POST /v1/embeddings`);
    if (req.method !== 'POST') throw new HttpError(405, 'invalid_request_error', 'use POST');
    const body = parseRequest(await readBody(req, maxBodyBytes));
    if (body.model !== undefined && body.model !== embedder.modelId) {
      throw new HttpError(404, 'model_not_found', `this server serves ${embedder.modelId}, not ${body.model}`);
    }
    if (body.dimensions !== undefined && body.dimensions !== embedder.dimension) {
      throw new HttpError(400, 'invalid_request_error', `dimensions must be ${embedder.dimension} for ${embedder.modelId}`);
    }
    if (body.input.length > maxInputs) {
      throw new HttpError(400, 'invalid_request_error', `at most ${maxInputs} inputs per request, got ${body.input.length}`);
    }
    const vectors = await embedder.embedPassages(body.input);
    const tokens = body.input.reduce((sum, text) => sum + embedder.countTokens(text), 0);
    sendJson(res, 200, {
      object: 'list',
      data: vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding: body.base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v),
      })),
      model: embedder.modelId,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const e =
        error instanceof HttpError
          ? error
          : error instanceof AppError && error.code === 'E_EMBEDDER_CLOSED'
            ? new HttpError(503, 'server_error', 'the model is shutting down')
            : new HttpError(500, 'server_error', `embedding failed: ${(error as Error)?.message ?? String(error)}`);
      // A body we stopped reading must not be parsed as the next request.
      if (e.status === 413) res.setHeader('connection', 'close');
      sendJson(res, e.status, { error: { message: e.message, type: e.type, code: e.status } });
    });
  });
  server.requestTimeout = 120_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

interface EmbeddingsRequest {
  input: string[];
  model?: string;
  dimensions?: number;
  base64: boolean;
}

function parseRequest(raw: Buffer): EmbeddingsRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid_request_error', 'body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'invalid_request_error', 'body must be a JSON object');
  const { input, model, dimensions, encoding_format: format } = body as Record<string, unknown>;
  const list = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s): s is string => typeof s === 'string')) {
    throw new HttpError(400, 'invalid_request_error', 'input must be a string or a non-empty array of strings (token arrays are not supported)');
  }
  if (model !== undefined && typeof model !== 'string') throw new HttpError(400, 'invalid_request_error', 'model must be a string');
  if (dimensions !== undefined && typeof dimensions !== 'number') {
    throw new HttpError(400, 'invalid_request_error', 'dimensions must be a number');
  }
  if (format !== undefined && format !== 'float' && format !== 'base64') {
    throw new HttpError(400, 'invalid_request_error', 'encoding_format must be float or base64');
  }
  return { input: list, model, dimensions, base64: format === 'base64' };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, 'invalid_request_error', `body larger than ${limit} bytes`);
  if (Number(req.headers['content-length']) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Past the limit the rest is read and dropped rather than the socket cut, so the
    // client, still sending, gets to read the 413.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => (size > limit ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
