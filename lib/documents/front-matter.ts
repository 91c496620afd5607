/**
 * Front matter: the YAML (`---`) or TOML (`+++`) block that static-site tools
 * and knowledge-base exports put at the top of Markdown. It is data about the
 * document, not its text, so it is split off before chunking and never
 * embedded.
 *
 * Decisions:
 * - A block that does not parse, or parses to something other than a mapping,
 *   is not front matter: the text stays whole and the document is ingested as
 *   if it had none. A Markdown file may open with a thematic break (`---`), and
 *   indexing a few stray lines is better than losing text or failing a file.
 * - Hostile blocks are bounded: at most `MAX_FRONT_MATTER_CHARS`, YAML aliases
 *   capped (no "billion laughs"), TOML nesting capped, and the free metadata
 *   held to `METADATA_LIMITS`; metadata over those limits is left out while
 *   title, tags and language still apply.
 */
import { parse as parseToml } from 'smol-toml';
import { parseDocument } from 'yaml';
import { cleanTags, LANGUAGE_PATTERN, MetadataProblem, toMetadata, type Metadata } from './metadata.ts';

/** What front matter says about its document; every field is optional. */
export interface FrontMatter {
  title?: string;
  tags?: string[];
  lang?: string;
  /** The other keys, as plain JSON (dates as ISO strings). */
  metadata?: Metadata;
}

/** Longest block read as front matter; a closing fence further down is body text. */
export const MAX_FRONT_MATTER_CHARS = 64 * 1024;
const MAX_YAML_ALIASES = 50;
const MAX_TOML_DEPTH = 8;
const MAX_TITLE_CHARS = 500;

/** Keys with a meaning of their own; the rest is metadata. */
const TITLE_KEYS = ['title'];
const TAG_KEYS = ['tags'];
const LANG_KEYS = ['lang', 'language'];

const FENCES = {
  '---': { close: /^(?:---|\.\.\.)[ \t]*\r?$/m, parse: parseYamlBlock },
  '+++': { close: /^\+\+\+[ \t]*\r?$/m, parse: parseTomlBlock },
} as const;

/**
 * Splits front matter from the start of `text`. Returns the body without the
 * block (and without the blank lines after it), or the text unchanged with no
 * `frontMatter` when there is none or it is malformed.
 */
export function splitFrontMatter(text: string): { body: string; frontMatter?: FrontMatter } {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const open = /^(---|\+\+\+)[ \t]*\r?\n/.exec(text.slice(start, start + 16));
  if (!open) return { body: text };
  const fence = FENCES[open[1] as keyof typeof FENCES];
  const blockStart = start + open[0].length;
  const window = text.slice(blockStart, blockStart + MAX_FRONT_MATTER_CHARS + 8);
  const close = fence.close.exec(window);
  if (!close || close.index > MAX_FRONT_MATTER_CHARS) return { body: text };
  const parsed = fence.parse(window.slice(0, close.index));
  if (parsed === undefined) return { body: text };
  const afterClose = blockStart + close.index + close[0].length;
  const body = text.slice(afterClose).replace(/^(?:[ \t]*\r?\n)+/, '');
  return { body, frontMatter: interpret(parsed) };
}

/** A mapping (possibly empty), or `undefined` when the block is not front matter. */
function parseYamlBlock(source: string): Record<string, unknown> | undefined {
  try {
    // Errors (not warnings such as an unknown tag) make the block text; toJS refuses alias bombs.
    const document = parseDocument(source, { uniqueKeys: true, prettyErrors: false, logLevel: 'silent' });
    if (document.errors.length) return undefined;
    const value: unknown = document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    if (value === null || value === undefined) return {};
    return isMapping(value) ? value : undefined;
  } catch {
    return undefined; // malformed, an alias bomb, or nested past the stack: keep it as text
  }
}

function parseTomlBlock(source: string): Record<string, unknown> | undefined {
  try {
    return parseToml(source, { maxDepth: MAX_TOML_DEPTH, unsafeKeyBehaviour: 'drop' }) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map);
}

function pick(data: Record<string, unknown>, keys: string[]): unknown {
  for (const key of keys) if (Object.hasOwn(data, key) && data[key] !== null && data[key] !== undefined) return data[key];
  return undefined;
}

function interpret(data: Record<string, unknown>): FrontMatter {
  const result: FrontMatter = {};
  const rawTitle = pick(data, TITLE_KEYS);
  if (typeof rawTitle === 'string' || typeof rawTitle === 'number') {
    const title = String(rawTitle).replace(/\s+/g, ' ').trim().slice(0, MAX_TITLE_CHARS);
    if (title) result.title = title;
  }
  const rawTags = pick(data, TAG_KEYS);
  if (rawTags !== undefined) {
    const tags = cleanTags(rawTags);
    if (tags.length) result.tags = tags;
  }
  const rawLang = pick(data, LANG_KEYS);
  if (typeof rawLang === 'string' && LANGUAGE_PATTERN.test(rawLang.trim())) result.lang = rawLang.trim();

  const reserved = new Set([...TITLE_KEYS, ...TAG_KEYS, ...LANG_KEYS]);
  const rest = Object.fromEntries(Object.entries(data).filter(([key]) => !reserved.has(key)));
  if (Object.keys(rest).length) {
    try {
      result.metadata = toMetadata(rest);
    } catch (error) {
      if (!(error instanceof MetadataProblem)) throw error;
      // Over the limits: title, tags and language still apply; the free part is left out.
    }
  }
  return result;
}
