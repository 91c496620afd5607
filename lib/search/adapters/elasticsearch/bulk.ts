/**
 * Bulk writes with backpressure and retries. Operations are cut into requests of
 * bounded size; at most `concurrency` requests are in flight per engine (a caller
 * with more waits, and a rebuild stops reading its source until a slot frees);
 * items the cluster pushed back (429: queue full or flood-stage block, 5xx) are
 * sent again with exponential backoff, and only those items. A refused item (a
 * record the mapping cannot hold) fails the write naming its id.
 */
import type { Client } from '@elastic/elasticsearch';
import { SearchUnavailableError } from '../../errors.ts';
import { call, ElasticsearchRequestError, isRetryableStatus } from './errors.ts';

export type BulkOperation = { kind: 'index'; id: string; source: object } | { kind: 'delete'; id: string };

export interface BulkOptions {
  /** Bulk requests in flight at once, across every caller of this writer. */
  concurrency: number;
  /** Bytes of NDJSON per request (an estimate: sources are serialized once, here). */
  maxRequestBytes: number;
  maxRequestOperations: number;
  /** Attempts for items pushed back, and the first backoff (doubling, capped at 5 s). */
  attempts: number;
  backoffMs: number;
  /** Time one bulk request may take (a write waits for a refresh, a rebuild batch may be large). */
  requestTimeoutMs: number;
}

export const DEFAULT_BULK: BulkOptions = {
  concurrency: 2,
  maxRequestBytes: 5 * 1024 * 1024,
  maxRequestOperations: 1000,
  attempts: 6,
  backoffMs: 200,
  requestTimeoutMs: 60_000,
};

interface Line {
  id: string;
  /** Action line and, for index, the source line: pre-serialized NDJSON (the client passes strings through). */
  lines: string[];
  bytes: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A counting semaphore: `acquire` resolves when a slot is free. */
function createSlots(size: number) {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    async acquire(): Promise<void> {
      if (free > 0) {
        free -= 1;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    },
  };
}

export type BulkWriter = ReturnType<typeof createBulkWriter>;

export function createBulkWriter(client: Client, options: BulkOptions = DEFAULT_BULK) {
  const slots = createSlots(options.concurrency);

  function toLine(op: BulkOperation): Line {
    const lines =
      op.kind === 'index'
        ? [JSON.stringify({ index: { _id: op.id } }), JSON.stringify(op.source)]
        : [JSON.stringify({ delete: { _id: op.id } })];
    return { id: op.id, lines, bytes: lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0) };
  }

  function* requests(ops: BulkOperation[]): Generator<Line[]> {
    let batch: Line[] = [];
    let bytes = 0;
    for (const op of ops) {
      const line = toLine(op);
      if (batch.length > 0 && (bytes + line.bytes > options.maxRequestBytes || batch.length >= options.maxRequestOperations)) {
        yield batch;
        batch = [];
        bytes = 0;
      }
      batch.push(line);
      bytes += line.bytes;
    }
    if (batch.length > 0) yield batch;
  }

  /** One request, and again for the items pushed back, until all landed or attempts run out. */
  async function send(target: string, batch: Line[], refresh: 'wait_for' | false, viaAlias: boolean): Promise<void> {
    let pending = batch;
    for (let attempt = 1; ; attempt += 1) {
      const retry: Line[] = [];
      try {
        const response = await call(`a bulk write to ${target}`, () =>
          client.bulk(
            // require_alias: a write to a missing alias must fail, not auto-create a stray index of that name.
            { index: target, refresh, require_alias: viaAlias, operations: pending.flatMap((line) => line.lines) },
            { requestTimeout: options.requestTimeoutMs },
          ),
        );
        const refused: string[] = [];
        response.items.forEach((item, i) => {
          const result = item.index ?? item.delete ?? item.create ?? item.update;
          if (!result) return;
          // Deleting what is not there is fine: `remove` promises exactly that.
          if (result.status < 300 || (item.delete && result.status === 404)) return;
          if (isRetryableStatus(result.status)) retry.push(pending[i]!);
          else refused.push(`${pending[i]!.id}: ${result.error?.type ?? result.status} ${result.error?.reason ?? ''}`.trim());
        });
        if (refused.length > 0) {
          throw new ElasticsearchRequestError(
            `Elasticsearch refused ${refused.length} record(s) of ${target}: ${refused.slice(0, 3).join('; ')}`,
            400,
          );
        }
      } catch (error) {
        // A whole request pushed back (429/5xx) is retried like its items; unreachable is not our call.
        const unavailable = error instanceof SearchUnavailableError && isRetryableStatus(statusOfCause(error));
        if (!unavailable) throw error;
        retry.push(...pending);
      }
      if (retry.length === 0) return;
      if (attempt >= options.attempts) {
        throw new SearchUnavailableError(
          `Elasticsearch pushed back ${retry.length} record(s) of ${target} ${attempt} times (first: ${retry[0]!.id})`,
        );
      }
      await sleep(Math.min(5_000, options.backoffMs * 2 ** (attempt - 1)));
      pending = retry;
    }
  }

  return {
    /** Writes `ops` to the alias `target`; resolves when all landed (with `wait_for`: searchable). */
    async write(target: string, ops: BulkOperation[], refresh: 'wait_for' | false): Promise<void> {
      const running: Promise<void>[] = [];
      let failure: unknown;
      for (const batch of requests(ops)) {
        await slots.acquire();
        if (failure !== undefined) {
          slots.release();
          break;
        }
        running.push(
          send(target, batch, refresh, true)
            .catch((error: unknown) => {
              failure ??= error;
            })
            .finally(() => slots.release()),
        );
      }
      await Promise.all(running);
      if (failure !== undefined) throw failure;
    },

    /**
     * A writer for a long stream of batches into the physical index `target` (a rebuild): `push` resolves as soon as
     * its batch holds a slot, so the producer is held back while the cluster is busy;
     * `flush` waits for the rest and throws the first failure.
     */
    stream(target: string) {
      const running = new Set<Promise<void>>();
      let failure: unknown;
      const check = () => {
        if (failure !== undefined) throw failure;
      };
      return {
        async push(ops: BulkOperation[]): Promise<void> {
          for (const batch of requests(ops)) {
            check();
            await slots.acquire();
            const task: Promise<void> = send(target, batch, false, false)
              .catch((error: unknown) => {
                failure ??= error;
              })
              .finally(() => {
                slots.release();
                running.delete(task);
              });
            running.add(task);
          }
          check();
        },
        async flush(): Promise<void> {
          await Promise.all([...running]);
          check();
        },
      };
    },
  };
}

function statusOfCause(error: SearchUnavailableError): number | undefined {
  const cause = error.cause as { statusCode?: number } | undefined;
  return cause?.statusCode;
}
