import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisLink } from './redis-link.ts';

/** What instances tell each other. `set` also wakes instances waiting for another's load. */
export type BusMessage =
  | { type: 'delete' | 'set'; keys: string[] }
  | { type: 'tags'; versions: Record<string, number> }
  | { type: 'filter'; name: string; items: string[] };

export interface BusHandlers {
  message(message: BusMessage): void;
  /** The subscription came back after a break: messages may have been missed meanwhile. */
  reconnected(): void;
}

/**
 * The invalidation bus: Redis pub/sub on `<prefix>:bus`, one subscriber
 * connection per cache. Each message carries the sender's instance id so an
 * instance ignores its own. Publishing goes through the breaker like every call.
 */
export class InvalidationBus {
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly subscribed: Promise<unknown>;
  private wasReady = false;
  private lost = false;

  constructor(
    private readonly link: RedisLink,
    private readonly instanceId: string,
    handlers: BusHandlers,
  ) {
    this.channel = `${link.prefix}:bus`;
    // Its own connection (a subscribed connection can run nothing else); it re-subscribes after a reconnect.
    this.subscriber = link.client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
    this.subscriber.on('error', () => {});
    this.subscriber.on('close', () => {
      if (this.wasReady) this.lost = true;
    });
    this.subscriber.on('ready', () => {
      if (this.wasReady && this.lost) handlers.reconnected();
      this.wasReady = true;
      this.lost = false;
    });
    this.subscriber.on('message', (_channel: string, raw: string) => {
      let parsed: { from?: string } & BusMessage;
      try {
        parsed = JSON.parse(raw) as { from?: string } & BusMessage;
      } catch {
        return;
      }
      if (parsed.from !== this.instanceId) handlers.message(parsed);
    });
    this.subscribed = this.subscriber.subscribe(this.channel).catch(() => {});
  }

  /** Resolves once subscribed (or after `timeoutMs`). */
  async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.subscribed, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  async publish(message: BusMessage): Promise<void> {
    const raw = this.encode(message);
    await this.link.guard((redis) => redis.publish(this.channel, raw), 0);
  }

  /** Appends a publish to a pipeline (so a write and its notice share one round trip). */
  queuePublish(pipeline: ChainableCommander, message: BusMessage): void {
    pipeline.publish(this.channel, this.encode(message));
  }

  private encode(message: BusMessage): string {
    return JSON.stringify({ ...message, from: this.instanceId });
  }

  close(): void {
    this.subscriber.disconnect();
  }
}
