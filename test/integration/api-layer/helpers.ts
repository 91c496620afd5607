import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Express } from 'express';
import type { ResponseStore } from '../../../api/middleware/index.ts';

/** Listens on a free loopback port; `close` ends it and its sockets. */
export async function listen(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A raw GET (fetch would decompress and hide Content-Encoding); the body is the bytes on the wire. */
export function rawGet(url: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * An in-memory ResponseStore: single-flight per key, TTL, tags. The real one is
 * lib/cache; this stands in so these tests do not depend on its progress.
 */
export function memoryStore() {
  const entries = new Map<string, { value: unknown; tags: string[]; expires: number }>();
  const flights = new Map<string, Promise<unknown>>();
  let loads = 0;
  const store: ResponseStore & { loads(): number; size(): number } = {
    async getOrSet<T>(key: string, loader: () => Promise<T | undefined>, options: { ttl: number | string; tags: string[] }) {
      const entry = entries.get(key);
      if (entry && entry.expires > Date.now()) return entry.value as T;
      const running = flights.get(key);
      if (running) return running as Promise<T | undefined>;
      loads += 1;
      const flight = loader().then((value) => {
        if (value !== undefined) entries.set(key, { value, tags: options.tags, expires: Date.now() + Number(options.ttl) });
        return value;
      });
      flights.set(key, flight);
      try {
        return await flight;
      } finally {
        flights.delete(key);
      }
    },
    async invalidateTags(tags) {
      for (const [key, entry] of entries) if (entry.tags.some((t) => tags.includes(t))) entries.delete(key);
    },
    loads: () => loads,
    size: () => entries.size,
  };
  return store;
}
