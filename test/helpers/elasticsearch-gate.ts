/**
 * A real HTTP proxy in front of the shared Elasticsearch, so a test can take
 * "Elasticsearch" down, stall it, or count the requests in flight without
 * stopping the one server every session uses. `down()` stops listening and cuts
 * every open connection (clients see connection refused, as with a stopped
 * server); `up()` listens again on the same port; `stall()` accepts requests and
 * never answers (clients time out). Everything that passes goes to the real server.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ElasticsearchGate {
  url: string;
  down(): Promise<void>;
  up(): Promise<void>;
  stall(): void;
  /** Passing requests again (after `stall`). */
  open(): void;
  /** Requests forwarded so far, per path prefix (`/_bulk`…), and the most in flight at once. */
  stats: { forwarded: number; inFlight: number; maxInFlight: number; bulkMaxInFlight: number; bulkInFlight: number };
  close(): Promise<void>;
}

export const ELASTICSEARCH_URL = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';

export async function startElasticsearchGate(target = ELASTICSEARCH_URL): Promise<ElasticsearchGate> {
  const upstream = new URL(target);
  let stalled = false;
  const held = new Set<ServerResponse>();
  const stats = { forwarded: 0, inFlight: 0, maxInFlight: 0, bulkMaxInFlight: 0, bulkInFlight: 0 };

  function forward(req: IncomingMessage, res: ServerResponse) {
    if (stalled) {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    const bulk = (req.url ?? '').includes('/_bulk');
    stats.forwarded += 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    if (bulk) {
      stats.bulkInFlight += 1;
      stats.bulkMaxInFlight = Math.max(stats.bulkMaxInFlight, stats.bulkInFlight);
    }
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      stats.inFlight -= 1;
      if (bulk) stats.bulkInFlight -= 1;
    };
    res.on('close', finish);
    const out = request(
      // A fresh upstream connection per request: a pooled one can be half-closed when reused.
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  }

  const server = createServer(forward);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let listening = true;

  const stop = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      for (const res of held) res.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    down: stop,
    up: () =>
      new Promise<void>((resolve, reject) => {
        if (listening) return resolve();
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          listening = true;
          server.off('error', reject);
          resolve();
        });
      }),
    stall: () => {
      stalled = true;
    },
    open: () => {
      stalled = false;
    },
    close: stop,
  };
}
