/** The documents index's half of the contract (see contract.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clause, DocumentRecord, EngineHit, IndexRecord } from '../../../lib/search/port.ts';
import { segmentForIndex } from '../../../lib/search/segment.ts';
import { searchCorpus } from '../../fixtures/search/corpus.ts';
import { embedQuery, toDocumentRecord } from '../../fixtures/search/records.ts';
import { ACME, index, lexical, words, type ContractWorld } from './contract.ts';
import { expectedIds, expectedRecords, histogramFacet, termsFacet } from './contract-oracle.ts';
import { deleteDocuments, storeDocuments } from './source-rows.ts';

const ids = (hits: EngineHit[]) => hits.map((h) => h.id).sort();
const rank = (hits: EngineHit[], id: string) => hits.findIndex((h) => h.id === id);

export function documentContract(world: ContractWorld): void {
  /** Runs a clause over the default tenant's documents; checks the hits and the total against the oracle. */
  async function expectMatches(clause: Clause | null, filters: Parameters<typeof lexical>[0]['filters'] = []) {
    const result = await world.engine.lexical(lexical({ index: 'documents', clause, filters }));
    const expected = expectedIds('documents', world.documents, { clause, filters });
    assert.deepEqual(ids(result.hits), expected, JSON.stringify(clause));
    assert.equal(result.total, expected.length);
    return result;
  }

  describe('documents', () => {
    it('words: any of the words, in the title or the content', async () => {
      const vpn = await expectMatches(words('vpn'));
      assert.ok(vpn.total >= 3);
      await expectMatches(words('年假', 'vpn'));
      await expectMatches(words('no-such-word-anywhere'));
      await expectMatches({ kind: 'words', field: 'title', words: [{ word: '报销', alternatives: [] }] });
    });

    it('words: a title match outranks a content-only match (title boost 3)', async () => {
      const { hits } = await world.engine.lexical(lexical({ index: 'documents', clause: words('vpn') }));
      assert.ok(rank(hits, 'it-vpn-zh') >= 0 && rank(hits, 'it-vpn-zh') < rank(hits, 'hr-remote-work-en'), JSON.stringify(ids(hits)));
      assert.ok(hits.every((h, i) => i === 0 || hits[i - 1]!.score >= h.score), 'by score, best first');
    });

    it('words: a fuzzy alternative matches, below the word itself', async () => {
      const exact = await world.engine.lexical(lexical({ index: 'documents', clause: words('报销') }));
      const fuzzy = await expectMatches({ kind: 'words', words: [{ word: '报消', alternatives: [{ word: '报销', weight: 0.5 }] }] });
      assert.deepEqual(ids(fuzzy.hits), ids(exact.hits));
      const score = (hits: EngineHit[]) => hits.find((h) => h.id === 'fin-reimbursement-zh')!.score;
      assert.ok(score(fuzzy.hits) < score(exact.hits), `alternative ${score(fuzzy.hits)} vs word ${score(exact.hits)}`);
    });

    it('phrase: the words next to each other, in order', async () => {
      const forward = await expectMatches({ kind: 'phrase', words: ['expense', 'report'] });
      assert.deepEqual(ids(forward.hits), ['hr-travel-policy-en']);
      await expectMatches({ kind: 'phrase', words: ['report', 'expense'] });
      const zh = segmentForIndex('审批通过').split(' ');
      assert.ok((await expectMatches({ kind: 'phrase', words: zh })).total > 0);
      await expectMatches({ kind: 'phrase', field: 'title', words: ['annual', 'leave'] });
    });

    it('keyword: an exact value of a keyword or keywords field', async () => {
      assert.equal((await expectMatches({ kind: 'keyword', field: 'knowledge_base', value: 'it' })).total, 13);
      assert.ok((await expectMatches({ kind: 'keyword', field: 'tags', value: '报销' })).total >= 3);
      await expectMatches({ kind: 'keyword', field: 'lang', value: 'en' });
      await expectMatches({ kind: 'keyword', field: 'knowledge_base', value: 'i' });
    });

    it('and, or, not; a `not` alone is everything except', async () => {
      const hrVpn = await expectMatches({ kind: 'and', children: [words('vpn'), { kind: 'keyword', field: 'knowledge_base', value: 'hr' }] });
      assert.deepEqual(ids(hrVpn.hits), ['hr-remote-work-en']);
      await expectMatches({ kind: 'or', children: [{ kind: 'keyword', field: 'knowledge_base', value: 'legal' }, words('vpn')] });
      const notSystem = await expectMatches({ kind: 'and', children: [words('报销'), { kind: 'not', child: words('系统') }] });
      assert.equal(rank(notSystem.hits, 'it-expense-system-upgrade-zh'), -1);
      const notIt = await expectMatches({ kind: 'not', child: { kind: 'keyword', field: 'knowledge_base', value: 'it' } });
      assert.equal(notIt.total, world.documents.length - 13);
    });

    it('filters: terms on keywords, ranges on dates, with and without a query', async () => {
      await expectMatches(null, [{ field: 'knowledge_base', kind: 'terms', values: ['hr', 'legal'] }]);
      await expectMatches(null, [{ field: 'tags', kind: 'terms', values: ['财务', 'security'] }]);
      await expectMatches(null, [{ field: 'created_at', kind: 'range', gte: '2025-06-01', lt: '2025-10-01' }]);
      await expectMatches(null, [{ field: 'created_at', kind: 'range', gt: '2025-03-10T09:00:00.000Z', lte: '2025-04-03T09:00:00.000Z' }]);
      await expectMatches(words('报销', 'expense'), [
        { field: 'lang', kind: 'terms', values: ['zh'] },
        { field: 'created_at', kind: 'range', gte: '2025-01-01' },
      ]);
    });

    it('facets: terms count documents; date histograms by interval', async () => {
      const result = await world.engine.lexical(
        lexical({
          index: 'documents',
          clause: words('报销', 'expense', 'leave'),
          limit: 1,
          facets: [
            { name: 'knowledge_base', kind: 'terms', field: 'knowledge_base', size: 20 },
            { name: 'tags', kind: 'terms', field: 'tags', size: 5 },
            { name: 'year', kind: 'histogram', field: 'created_at', interval: 'year' },
            { name: 'month', kind: 'histogram', field: 'created_at', interval: 'month' },
            { name: 'week', kind: 'histogram', field: 'created_at', interval: 'week' },
          ],
        }),
      );
      const matched: IndexRecord[] = expectedRecords('documents', world.documents, { clause: words('报销', 'expense', 'leave'), filters: [] });
      assert.equal(result.hits.length, 1);
      assert.equal(result.total, matched.length);
      assert.deepEqual(result.facets.knowledge_base, termsFacet(matched, 'knowledge_base', 20));
      assert.deepEqual(result.facets.tags, termsFacet(matched, 'tags', 5));
      for (const interval of ['year', 'month', 'week'] as const) {
        assert.deepEqual(result.facets[interval], histogramFacet('documents', matched, interval), interval);
      }
    });

    it('sorts on a field and pages with `after`, ties by id', async () => {
      const expected = [...world.documents].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? -1 : 1));
      const seen: string[] = [];
      let afterValues: (string | number)[] | undefined;
      for (let page = 0; page < 20; page++) {
        const result = await world.engine.lexical(
          lexical({ index: 'documents', sort: [{ field: 'created_at', dir: 'desc' }], limit: 9, after: afterValues }),
        );
        assert.equal(result.total, world.documents.length, 'the total does not depend on the page');
        if (result.hits.length === 0) break;
        seen.push(...result.hits.map((h) => h.id));
        afterValues = result.hits.at(-1)!.sortValues;
        assert.ok(afterValues && afterValues.length > 0, 'a sorted hit carries its sort values');
      }
      assert.deepEqual(seen, expected.map((d) => d.id));
    });

    it('relevance order pages by offset', async () => {
      const clause = words('报销', 'leave', 'password');
      const all = await world.engine.lexical(lexical({ index: 'documents', clause }));
      const paged: string[] = [];
      for (let offset = 0; offset < all.total; offset += 4) {
        paged.push(...(await world.engine.lexical(lexical({ index: 'documents', clause, limit: 4, offset }))).hits.map((h) => h.id));
      }
      assert.deepEqual(paged, all.hits.map((h) => h.id));
    });

    it('returns the metadata and up to three matching chunks to highlight from', async () => {
      const { hits } = await world.engine.lexical(lexical({ index: 'documents', clause: words('vpn') }));
      const hit = hits.find((h) => h.id === 'it-vpn-zh')!;
      const record = world.documents.find((d) => d.id === 'it-vpn-zh')!;
      assert.equal(hit.fields.title, record.title);
      assert.equal(hit.fields.knowledge_base, 'it');
      assert.deepEqual(hit.fields.tags, record.tags);
      assert.equal(hit.fields.doc_type, 'md');
      assert.equal(hit.fields.lang, 'zh');
      assert.equal(Date.parse(String(hit.fields.created_at)), Date.parse(record.created_at));
      assert.ok(hits.every((h) => h.snippets.length >= 1 && h.snippets.length <= 3));
      assert.ok(hit.snippets.some((s) => /vpn/i.test(s)), JSON.stringify(hit.snippets));
      assert.ok(hit.snippets.every((s) => record.chunks.some((c) => c.text === s)), 'snippets are chunk texts');
    });

    it('nearest: one hit per document, best first, the tenant only, filtered', async () => {
      const vector = await embedQuery('在家怎么访问公司内网');
      const hits = await world.engine.nearest({ index: 'documents', tenant: 'default', vector, filters: [], k: 10 });
      assert.equal(hits.length, 10);
      assert.equal(new Set(hits.map((h) => h.id)).size, 10, 'one hit per document');
      assert.ok(hits.every((h, i) => i === 0 || hits[i - 1]!.score >= h.score));
      assert.ok(hits.slice(0, 3).some((h) => h.id === 'it-vpn-zh' || h.id === 'it-vpn-en'), JSON.stringify(hits.map((h) => h.id)));
      assert.ok(hits.every((h) => !h.id.startsWith('acme-')));
      assert.ok(hits[0]!.snippets.length >= 1 && hits[0]!.fields.title);
      const hr = await world.engine.nearest({ index: 'documents', tenant: 'default', vector, filters: [{ field: 'knowledge_base', kind: 'terms', values: ['hr'] }], k: 5 });
      assert.ok(hr.length === 5 && hr.every((h) => world.documents.find((d) => d.id === h.id)!.knowledge_base === 'hr'));
      const everything = await world.engine.nearest({ index: 'documents', tenant: ACME, vector, filters: [], k: 50 });
      assert.deepEqual(ids(everything), world.acme.map((d) => d.id).sort());
    });

    it('keeps tenants apart', async () => {
      const own = await world.engine.lexical(lexical({ index: 'documents', tenant: ACME, clause: words('zephyrine') }));
      assert.deepEqual(ids(own.hits), ['acme-zephyrine']);
      const other = await world.engine.lexical(lexical({ index: 'documents', clause: words('zephyrine') }));
      assert.equal(other.total, 0);
      const all = await world.engine.lexical(lexical({ index: 'documents', tenant: ACME, facets: [{ name: 'knowledge_base', kind: 'terms', field: 'knowledge_base', size: 20 }] }));
      assert.equal(all.total, world.acme.length);
      assert.equal(all.facets.knowledge_base!.reduce((n, b) => n + b.count, 0), world.acme.length);
      const none = await world.engine.lexical(lexical({ index: 'documents', tenant: 'nobody' }));
      assert.equal(none.total, 0);
    });

    it('upsert replaces a document; remove takes it out of every search', async () => {
      const base = searchCorpus.find((d) => d.id === 'legal-nda-en')!;
      const first = await toDocumentRecord(base, 'default', 'contract-extra');
      await storeAndIndex(world, [first]);
      assert.ok(ids((await world.engine.lexical(lexical({ index: 'documents', clause: { kind: 'words', field: 'title', words: [{ word: 'nda', alternatives: [] }] } }))).hits).includes('contract-extra'));
      const renamed: DocumentRecord = { ...first, title: 'Quokka Confidentiality Guide' };
      await storeAndIndex(world, [renamed]);
      const byOld = await world.engine.lexical(lexical({ index: 'documents', clause: { kind: 'words', field: 'title', words: [{ word: 'nda', alternatives: [] }] } }));
      assert.ok(!ids(byOld.hits).includes('contract-extra'), 'the old title no longer matches');
      const byNew = await world.engine.lexical(lexical({ index: 'documents', clause: words('quokka') }));
      assert.deepEqual(ids(byNew.hits), ['contract-extra']);
      assert.equal(byNew.hits[0]!.fields.title, 'Quokka Confidentiality Guide');

      if (world.db) await deleteDocuments(world.db, ['contract-extra']);
      await world.engine.remove('documents', ['contract-extra', 'never-indexed']);
      assert.equal((await world.engine.lexical(lexical({ index: 'documents', clause: words('quokka') }))).total, 0);
      const vector = Float32Array.from(first.chunks[0]!.embedding!);
      const near = await world.engine.nearest({ index: 'documents', tenant: 'default', vector, filters: [], k: 5 });
      assert.equal(near[0]!.id, 'legal-nda-en', 'the copy is gone, the original is nearest');
      assert.equal((await world.engine.lexical(lexical({ index: 'documents' }))).total, world.documents.length);
    });

    it('rebuild replaces the index while searches keep answering', async () => {
      const stale = await toDocumentRecord(searchCorpus.find((d) => d.id === 'adm-pantry-en')!, 'default', 'contract-stale');
      await storeAndIndex(world, [stale]);
      // Gone from the source but never removed from the engine: only a rebuild drops it.
      if (world.db) await deleteDocuments(world.db, ['contract-stale']);
      const current = [...world.documents, ...world.acme];
      let midway: number | undefined;
      async function* batches() {
        for (let i = 0; i < current.length; i += 20) {
          if (i === 40) midway = (await world.engine.lexical(lexical({ index: 'documents' }))).total;
          yield current.slice(i, i + 20);
        }
      }
      const { records } = await world.engine.rebuild('documents', batches());
      assert.equal(records, current.length);
      assert.ok(midway !== undefined && midway >= world.documents.length, `mid-rebuild total ${midway}: the old index answered`);
      const after = await world.engine.lexical(lexical({ index: 'documents' }));
      assert.equal(after.total, world.documents.length);
      assert.ok(!after.hits.some((h) => h.id === 'contract-stale'));
      await expectMatches(words('vpn'));
      const vector = await embedQuery('coffee machine beans');
      assert.ok((await world.engine.nearest({ index: 'documents', tenant: 'default', vector, filters: [], k: 3 })).every((h) => h.id !== 'contract-stale'));
    });
  });
}

async function storeAndIndex(world: ContractWorld, records: DocumentRecord[]): Promise<void> {
  if (world.db) await storeDocuments(world.db, records);
  await index(world.engine, 'documents', records);
}
