/**
 * What a client sees of a hit. Documents: one document with its title, knowledge
 * base and highlighted fragments of its best chunks. ERP records: their catalog
 * fields, typed (money to the cent, dates as ISO instants), and highlighted names.
 * Highlights are made here, in Node, from the engine's text, so both engines
 * highlight alike and Chinese is highlighted by characters, not by tokens.
 */
import { highlight } from '../query/highlight.ts';
import { INDEXES, type IndexName } from '../indexes.ts';
import type { EngineHit } from '../port.ts';

export interface DocumentHitView {
  documentId: string;
  title: string | null;
  knowledgeBase: string;
  tags: string[];
  type: string | null;
  lang: string | null;
  createdAt: string | null;
  score: number;
  /** Fragments with the query's words in `<em>…</em>`, everything else HTML-escaped. */
  highlights: string[];
}

export type RecordHitView = Record<string, unknown> & { id: string; score: number; highlights: string[] };

const MAX_HIGHLIGHTS = 3;
/** Characters a document's opening shows when no word of the query is in its text (a match by meaning only). */
const OPENING_CHARS = 160;

/** Engine scores are floats of no meaning beyond their order; six decimals keep RRF's small sums apart. */
export const roundScore = (score: number) => Math.round(score * 1e6) / 1e6;

function fragmentsOf(snippets: string[], words: string[], opening: boolean): string[] {
  const fragments: string[] = [];
  if (words.length > 0) {
    for (const snippet of snippets) {
      for (const fragment of highlight(snippet, words, { fragments: MAX_HIGHLIGHTS, noMatchChars: 0 })) {
        if (fragments.length < MAX_HIGHLIGHTS) fragments.push(fragment);
      }
      if (fragments.length >= MAX_HIGHLIGHTS) break;
    }
  }
  if (fragments.length === 0 && opening && snippets[0]) return highlight(snippets[0], words, { fragments: 1, noMatchChars: OPENING_CHARS });
  return fragments;
}

const text = (value: unknown) => (typeof value === 'string' ? value : value == null ? null : String(value));
const instant = (value: unknown) => {
  if (value == null) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
};

export function documentHit(hit: EngineHit, score: number, words: string[]): DocumentHitView {
  const f = hit.fields;
  return {
    documentId: hit.id,
    title: text(f.title),
    knowledgeBase: text(f.knowledge_base) ?? '',
    tags: Array.isArray(f.tags) ? f.tags.map(String) : [],
    type: text(f.doc_type),
    lang: text(f.lang),
    createdAt: instant(f.created_at),
    score: roundScore(score),
    highlights: fragmentsOf(hit.snippets, words, true),
  };
}

/** An ERP record: only its catalog's fields reach the client, each as its type says. */
export function recordHit(index: Exclude<IndexName, 'documents'>, hit: EngineHit, score: number, words: string[]): RecordHitView {
  const view: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(INDEXES[index].fields)) {
    const value = hit.fields[name];
    if (value === undefined && name !== 'id') {
      view[name] = null;
      continue;
    }
    switch (spec.type) {
      case 'money':
        view[name] = value == null ? null : Math.round(Number(value) * 100) / 100;
        break;
      case 'integer':
        view[name] = value == null ? null : Number(value);
        break;
      case 'date':
        view[name] = instant(value);
        break;
      default:
        view[name] = text(value);
    }
  }
  return { ...view, id: hit.id, score: roundScore(score), highlights: fragmentsOf(hit.snippets, words, false) };
}
