/**
 * A tiny real HTTP proxy that fails requests on purpose, then forwards the rest to a
 * real embeddings server. Our server never answers 500, 429 or slowly on its own,
 * so the adapter's retry and timeout paths can only be reached through a fault in
 * between; everything that does pass through gets real vectors.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with the n-th request (0-based). */
export type Fault =
  | { kind: 'pass' }
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'delay'; ms: number };

export interface SeenRequest {
  headers: IncomingHttpHeaders;
  body: { model?: string; input?: string[]; input_type?: string };
}

export interface FaultProxy {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, plan: (n: number) => Fault): Promise<FaultProxy> {
  const seen: SeenRequest[] = [];
  const pending = new Set<NodeJS.Timeout>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    const n = seen.length;
    seen.push({ headers: req.headers, body: JSON.parse(raw.toString('utf8') || '{}') });
    const fault = plan(n);
    if (fault.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? JSON.stringify({ error: { message: `injected ${fault.status}` } }));
      return;
    }
    if (fault.kind === 'delay') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, fault.ms);
        pending.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (res.destroyed) return;
    }
    const upstream = await fetch(new URL(req.url ?? '/', target), {
      method: req.method,
      headers: { 'content-type': 'application/json' },
      body: raw,
    });
    const text = await upstream.text();
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
