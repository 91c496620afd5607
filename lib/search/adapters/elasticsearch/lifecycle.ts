/**
 * Templates, aliases and rebuilds. Reads and writes always go through the alias
 * `${prefix}-<index>`; behind it sits one physical index `${prefix}-<index>-<stamp>`.
 * A rebuild fills a new physical index (refresh off, nothing searches it yet), then
 * moves the alias in one atomic `_aliases` call and deletes the old index: searches
 * answer from the old index until the very swap, and from the new one after it.
 */
import type { Client } from '@elastic/elasticsearch';
import type { IndexName } from '../../indexes.ts';
import type { IndexRecord } from '../../port.ts';
import type { BulkWriter } from './bulk.ts';
import { call, errorTypeOf } from './errors.ts';
import { aliasName, physicalName, REFRESH_INTERVAL, templateFor } from './mappings.ts';
import { toSource } from './sources.ts';

export interface Lifecycle {
  /** The index's template, alias and first physical index, if missing. `quick`: the probe takes no longer than a search may. */
  ensureIndex(index: IndexName, quick: boolean): Promise<void>;
  rebuild(index: IndexName, batches: AsyncIterable<IndexRecord[]>): Promise<{ records: number }>;
}

export function createLifecycle(client: Client, writer: BulkWriter, prefix: string, dimension: number, timeoutMs: number): Lifecycle {
  /**
   * The template is written whenever a physical index is about to be made (first
   * start, every rebuild), so a changed mapping takes effect with the next rebuild.
   */
  async function putTemplate(index: IndexName): Promise<void> {
    const name = aliasName(prefix, index);
    await call(`writing the template of ${name}`, () => client.indices.putIndexTemplate(templateFor(prefix, index, dimension)));
  }

  /**
   * The first physical index has a fixed name, so two processes starting at once
   * create it once (the loser gets "already exists") and never alias two indexes.
   * The probe is all a ready cluster costs; with `quick` it fails as fast as a
   * search on a stalled cluster would. Creating an index waits for its shard to
   * start, slow on a loaded machine: it gets the client's longer default (index.ts).
   */
  async function ensureIndex(index: IndexName, quick: boolean): Promise<void> {
    const alias = aliasName(prefix, index);
    const probe = quick ? { requestTimeout: timeoutMs } : {};
    if (await call(`looking up ${alias}`, () => client.indices.existsAlias({ name: alias }, probe))) return;
    await putTemplate(index);
    const first = `${alias}-0-initial`;
    try {
      await call(`creating ${first}`, () => client.indices.create({ index: first, aliases: { [alias]: {} } }));
    } catch (error) {
      if (errorTypeOf(error instanceof Error ? error.cause : undefined) !== 'resource_already_exists_exception') throw error;
      // It exists without the alias (removed by hand): put the alias back on it.
      await call(`aliasing ${first}`, () => client.indices.putAlias({ index: first, name: alias }));
    }
  }

  async function rebuild(index: IndexName, batches: AsyncIterable<IndexRecord[]>): Promise<{ records: number }> {
    const alias = aliasName(prefix, index);
    await ensureIndex(index, false);
    await putTemplate(index);
    const next = physicalName(prefix, index);
    // The template gives mappings and settings; refresh is off while it fills (nobody searches it).
    await call(`creating ${next}`, () => client.indices.create({ index: next, settings: { refresh_interval: '-1' } }));
    let records = 0;
    try {
      const stream = writer.stream(next);
      for await (const batch of batches) {
        await stream.push(batch.map((record) => ({ kind: 'index' as const, id: record.id, source: toSource(index, record) })));
        records += batch.length;
      }
      await stream.flush();
      await call(`opening ${next}`, () => client.indices.putSettings({ index: next, settings: { refresh_interval: REFRESH_INTERVAL } }));
      await call(`refreshing ${next}`, () => client.indices.refresh({ index: next }));
      const old = Object.keys(await call(`looking up ${alias}`, () => client.indices.getAlias({ name: alias })));
      // One request, applied atomically: no moment with no index (or two) behind the alias.
      const actions = [{ add: { index: next, alias } }, ...old.map((index) => ({ remove: { index, alias } }))];
      await call(`swapping ${alias} to ${next}`, () => client.indices.updateAliases({ actions }));
      // The old indexes answer nothing now; a failure to delete them leaves only disk behind.
      if (old.length > 0) await call(`deleting ${old.join(',')}`, () => client.indices.delete({ index: old })).catch(() => {});
    } catch (error) {
      await client.indices.delete({ index: next }).catch(() => {});
      throw error;
    }
    return { records };
  }

  return { ensureIndex, rebuild };
}
