/**
 * What a document may carry besides its text: tags, a language and free
 * metadata. Uploads and front matter both pass through here, so a stored
 * document always obeys the same bounds, whoever wrote them.
 */

/** A tag: letters, digits, space and `. _ : / -`, starting with a letter or digit. */
export const TAG_PATTERN = /^[\p{L}\p{Nd}][\p{L}\p{Nd} ._:/-]*$/u; // decimal digits only: ² or ① are not tag characters
export const MAX_TAG_LENGTH = 64;
export const MAX_TAGS = 32;

/** A BCP 47 language tag in its common shape: `zh`, `en`, `zh-Hans`, `zh-CN`, `en-US`. */
export const LANGUAGE_PATTERN = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;

/**
 * Bounds on free metadata, so one document cannot bloat every list response or
 * nest deep enough to hurt whoever walks it.
 */
export const METADATA_LIMITS = Object.freeze({
  /** Serialized size of the whole object, in bytes of UTF-8 JSON. */
  maxBytes: 16 * 1024,
  /** Nesting below the top-level object (an object or array inside a value counts one). */
  maxDepth: 5,
  /** Object keys counted over the whole tree. */
  maxKeys: 100,
  /** Length of one key. */
  maxKeyLength: 128,
});

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Metadata = Record<string, JsonValue>;

/** Why a value cannot be stored as metadata; `undefined` when it can. */
export class MetadataProblem extends Error {}

/**
 * Turns a parsed value (JSON, YAML, TOML) into plain JSON within
 * `METADATA_LIMITS`: dates become ISO strings, non-finite numbers and
 * anything JSON cannot hold are refused. Throws `MetadataProblem` naming what
 * is wrong; the caller decides whether that is a 400 or a dropped field.
 */
export function toMetadata(value: unknown): Metadata {
  if (!isPlainObject(value)) throw new MetadataProblem('metadata must be an object');
  let keys = 0;
  const walk = (node: unknown, depth: number, path: string): JsonValue => {
    if (node === null || typeof node === 'string' || typeof node === 'boolean') return node as JsonValue;
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) throw new MetadataProblem(`${path}: numbers must be finite`);
      return node;
    }
    if (typeof node === 'bigint') {
      if (node > BigInt(Number.MAX_SAFE_INTEGER) || node < BigInt(Number.MIN_SAFE_INTEGER)) return node.toString();
      return Number(node);
    }
    if (node instanceof Date) {
      if (Number.isNaN(node.getTime())) throw new MetadataProblem(`${path}: invalid date`);
      return node.toISOString(); // TOML local dates keep their own form ("1979-05-27")
    }
    if (depth >= METADATA_LIMITS.maxDepth) throw new MetadataProblem(`${path}: nested deeper than ${METADATA_LIMITS.maxDepth} levels`);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, depth + 1, `${path}[${i}]`));
    if (isPlainObject(node)) return walkObject(node, depth + 1, path);
    throw new MetadataProblem(`${path}: not a JSON value`);
  };
  const walkObject = (node: Record<string, unknown>, depth: number, path: string): Metadata => {
    const out: Metadata = {};
    for (const [key, item] of Object.entries(node)) {
      if (++keys > METADATA_LIMITS.maxKeys) throw new MetadataProblem(`more than ${METADATA_LIMITS.maxKeys} keys`);
      if (key.length === 0 || key.length > METADATA_LIMITS.maxKeyLength) {
        throw new MetadataProblem(`${path ? `${path}.` : ''}${key.slice(0, 32)}: keys are 1 to ${METADATA_LIMITS.maxKeyLength} characters`);
      }
      if (item === undefined) continue;
      // Defined as data, so a key named `__proto__` is an ordinary key and never a prototype.
      Object.defineProperty(out, key, { value: walk(item, depth, path ? `${path}.${key}` : key), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  const metadata = walkObject(value, 0, '');
  const size = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (size > METADATA_LIMITS.maxBytes) throw new MetadataProblem(`larger than ${METADATA_LIMITS.maxBytes} bytes as JSON`);
  return metadata;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Tags from a list or a comma-separated string; invalid ones are dropped, at most `MAX_TAGS` kept. */
export function cleanTags(value: unknown): string[] {
  const raw = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [];
  const tags = raw
    .filter((t) => typeof t === 'string' || typeof t === 'number')
    .map((t) => String(t).trim())
    .filter((t) => t.length > 0 && t.length <= MAX_TAG_LENGTH && TAG_PATTERN.test(t));
  return [...new Set(tags)].slice(0, MAX_TAGS);
}
