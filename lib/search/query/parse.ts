import { INDEXES, SEARCH_LIMITS, type FieldSpec, type IndexName } from '../indexes.ts';
import { QuerySyntaxError, SearchFieldError } from '../errors.ts';

/**
 * A parsed query, before segmentation: what the person typed, as a tree.
 * `text` and `phrase` carry the raw value (control characters blanked) and its
 * 0-based `position` in the query, so did-you-mean can rewrite the query there.
 * `field` is a catalog field of the index, lower-cased; absent: every text field.
 */
export type QueryNode =
  | { kind: 'text'; field?: string; text: string; position: number }
  | { kind: 'phrase'; field?: string; text: string; position: number }
  | { kind: 'and'; children: QueryNode[] }
  | { kind: 'or'; children: QueryNode[] }
  | { kind: 'not'; child: QueryNode };

type Token =
  | { type: '(' | ')'; position: number }
  | { type: 'AND' | 'OR' | 'NOT'; position: number; text: string }
  /** A `-` glued to what follows: `-term`, `-"phrase"`, `-(group)`. */
  | { type: 'NEG'; position: number }
  | { type: 'field'; position: number; name: string }
  | { type: 'word'; position: number; text: string }
  | { type: 'quoted'; position: number; text: string; quotePosition: number };

const QUOTES = new Set(['"', '“', '”']);
const OPERATORS: Record<string, 'AND' | 'OR' | 'NOT'> = { AND: 'AND', OR: 'OR', NOT: 'NOT', '&&': 'AND', '||': 'OR' };
// Control and format characters (NUL, zero-width, BOM) and lone surrogates become spaces: same length, so positions hold.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;
const FIELD_PREFIX = /^([A-Za-z_][A-Za-z0-9_]*):/;

/** The query with unprintable characters blanked (same length, so positions in it are positions in the query). */
export function cleanQueryText(text: string): string {
  return text.replace(UNPRINTABLE, ' ');
}

/**
 * Parses query syntax: words, `"phrases"`, `field:value`, `field:"phrase"`,
 * `field:(a OR b)`, `AND`, `OR`, `NOT`, `-term`, parentheses. Between terms the
 * implicit operator is OR; NOT binds tighter than AND, AND tighter than OR.
 * Negations inside an OR apply to the whole OR (`a b -c` is `(a OR b) AND NOT c`),
 * as in Lucene, because "a or anything without c" is never what was meant.
 * Operators with nothing to join are ignored; a query of operators alone is searched
 * as words. An unclosed quote runs to the end. `null`: nothing to search for.
 * Throws QuerySyntaxError (with position) for unbalanced parentheses, a field without
 * a value, a query over the length, term or nesting limits; SearchFieldError for a
 * field the index does not have or a value its type cannot hold. On a keyword,
 * number or date field `field:value` is an exact value (analyzeQuery makes it a
 * `keyword` clause); a date (`ordered_at:2025-01-31`) means that UTC day.
 */
export function parseQuery(text: string, index: IndexName): QueryNode | null {
  if (text.length > SEARCH_LIMITS.maxQueryLength) {
    throw new QuerySyntaxError(`the query is longer than ${SEARCH_LIMITS.maxQueryLength} characters`, SEARCH_LIMITS.maxQueryLength);
  }
  const clean = cleanQueryText(text);
  const tokens = tokenize(clean);
  const parsed = new Parser(tokens, index).parseQuery();
  if (parsed || !tokens.some((t) => t.type === 'AND' || t.type === 'OR' || t.type === 'NOT')) return parsed && simplify(parsed);
  // Only operators ("AND", "NOT"): the person is searching for those words.
  const words = tokens.flatMap((t): QueryNode[] => ('text' in t && t.type !== 'quoted' ? [{ kind: 'text', text: t.text, position: t.position }] : []));
  return words.length === 1 ? words[0]! : { kind: 'or', children: words };
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i]!;
    if (/\s/u.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ type: ch, position: i });
      i++;
    } else if (QUOTES.has(ch)) {
      let end = i + 1;
      while (end < query.length && !QUOTES.has(query[end]!)) end++;
      tokens.push({ type: 'quoted', position: i + 1, text: query.slice(i + 1, end), quotePosition: i });
      i = end + 1;
    } else {
      let end = i;
      while (end < query.length && !/[\s()"“”]/u.test(query[end]!)) end++;
      const word = query.slice(i, end);
      const next = query[end];
      const field = FIELD_PREFIX.exec(word);
      if (word.startsWith('-') && (word.length > 1 || next === '(' || (next !== undefined && QUOTES.has(next)))) {
        tokens.push({ type: 'NEG', position: i });
        i++;
        continue;
      }
      if (OPERATORS[word]) {
        tokens.push({ type: OPERATORS[word], position: i, text: word });
      } else if (field) {
        tokens.push({ type: 'field', position: i, name: field[1]! });
        const value = word.slice(field[0].length);
        if (value !== '') tokens.push({ type: 'word', position: i + field[0].length, text: value });
        else if (next !== '(' && !(next !== undefined && QUOTES.has(next))) {
          throw new QuerySyntaxError(`${field[1]}: has no value`, end);
        }
      } else if (word !== '-') {
        tokens.push({ type: 'word', position: i, text: word });
      }
      i = end;
    }
  }
  return tokens;
}

class Parser {
  private at = 0;
  private leaves = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly index: IndexName,
  ) {}

  parseQuery(): QueryNode | null {
    const node = this.parseOr(0, undefined);
    const stray = this.tokens[this.at];
    if (stray) throw new QuerySyntaxError(stray.type === ')' ? 'unmatched )' : 'unexpected input', stray.position);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  /** Whether the next token can begin an operand (a term, phrase, group, field or negation). */
  private startsOperand(): boolean {
    const t = this.peek();
    return t !== undefined && t.type !== ')' && t.type !== 'AND' && t.type !== 'OR';
  }

  private parseOr(depth: number, field: string | undefined): QueryNode | null {
    const children: QueryNode[] = [];
    for (;;) {
      // Operators with nothing before them ("OR a", "a OR OR b") are ignored.
      while (this.peek()?.type === 'AND' || this.peek()?.type === 'OR') this.at++;
      if (!this.startsOperand()) break;
      const node = this.parseAnd(depth, field);
      if (node) children.push(node);
    }
    return children.length === 0 ? null : children.length === 1 ? children[0]! : { kind: 'or', children };
  }

  private parseAnd(depth: number, field: string | undefined): QueryNode | null {
    const children: QueryNode[] = [];
    const first = this.parseUnary(depth, field);
    if (first) children.push(first);
    while (this.peek()?.type === 'AND') {
      this.at++;
      while (this.peek()?.type === 'AND') this.at++;
      if (!this.startsOperand()) break;
      const next = this.parseUnary(depth, field);
      if (next) children.push(next);
    }
    return children.length === 0 ? null : children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  private parseUnary(depth: number, field: string | undefined): QueryNode | null {
    let negations = 0;
    while (this.peek()?.type === 'NOT' || this.peek()?.type === 'NEG') {
      this.at++;
      negations++;
    }
    if (negations > 0 && !this.startsOperand()) return null; // "a NOT", "-": nothing to negate
    const node = this.parsePrimary(depth, field);
    return node && negations % 2 === 1 ? { kind: 'not', child: node } : node;
  }

  private parsePrimary(depth: number, field: string | undefined): QueryNode | null {
    const token = this.tokens[this.at++]!;
    switch (token.type) {
      case '(': {
        if (depth >= SEARCH_LIMITS.maxNesting) {
          throw new QuerySyntaxError(`parentheses nest deeper than ${SEARCH_LIMITS.maxNesting}`, token.position);
        }
        const inner = this.parseOr(depth + 1, field);
        if (this.peek()?.type !== ')') throw new QuerySyntaxError('unclosed (', token.position);
        this.at++;
        return inner;
      }
      case 'field': {
        if (field !== undefined) throw new QuerySyntaxError('a field inside a field group', token.position);
        const name = this.checkField(token.name);
        const next = this.peek();
        if (next?.type === '(') return this.parsePrimary(depth, name);
        return this.parsePrimary(depth, name); // the word or quoted value the tokenizer put next
      }
      case 'word':
        return this.leaf('text', token.text, token.position, field);
      case 'quoted':
        return token.text.trim() === '' ? null : this.leaf('phrase', token.text, token.position, field);
      default:
        // Operators are consumed by the callers; this is unreachable in valid token streams.
        throw new QuerySyntaxError('unexpected operator', token.position);
    }
  }

  private leaf(kind: 'text' | 'phrase', text: string, position: number, field: string | undefined): QueryNode {
    if (++this.leaves > SEARCH_LIMITS.maxClauses) {
      throw new QuerySyntaxError(`more than ${SEARCH_LIMITS.maxClauses} terms`, position);
    }
    if (field !== undefined) checkValue(field, INDEXES[this.index].fields[field]!, text);
    return field === undefined ? { kind, text, position } : { kind, field, text, position };
  }

  private checkField(raw: string): string {
    const name = raw.toLowerCase();
    const spec = Object.hasOwn(INDEXES[this.index].fields, name) ? INDEXES[this.index].fields[name] : undefined;
    if (!spec) {
      const known = Object.keys(INDEXES[this.index].fields).join(', ');
      throw new SearchFieldError(name, `the ${this.index} index has no field "${name}" (fields: ${known})`);
    }
    if (spec.type !== 'text' && !spec.filter) throw new SearchFieldError(name, `"${name}" cannot be searched`);
    return name;
  }
}

/** `quantity:abc` or `ordered_at:yesterday` can never match: say so rather than find nothing. */
function checkValue(field: string, spec: FieldSpec, raw: string): void {
  const value = raw.trim();
  const ok =
    spec.type === 'integer'
      ? /^-?\d{1,15}$/.test(value)
      : spec.type === 'money'
        ? /^-?\d{1,13}(\.\d{1,2})?$/.test(value)
        : spec.type === 'date'
          ? /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
          : true;
  if (!ok) {
    const expected = spec.type === 'integer' ? 'a whole number' : spec.type === 'money' ? 'an amount like 12.50' : 'a date like 2025-01-31';
    throw new SearchFieldError(field, `${field} takes ${expected}`);
  }
}

/** Flattens nested and/or, removes double negation, and pulls negations out of ORs. */
function simplify(node: QueryNode): QueryNode {
  if (node.kind === 'not') {
    const child = simplify(node.child);
    return child.kind === 'not' ? child.child : { kind: 'not', child };
  }
  if (node.kind !== 'and' && node.kind !== 'or') return node;
  const children = node.children.map(simplify).flatMap((c) => (c.kind === node.kind ? c.children : [c]));
  if (node.kind === 'and') return { kind: 'and', children };
  const negated = children.filter((c) => c.kind === 'not');
  const positive = children.filter((c) => c.kind !== 'not');
  if (negated.length === 0) return { kind: 'or', children };
  const either: QueryNode[] = positive.length === 0 ? [] : positive.length === 1 ? [positive[0]!] : [{ kind: 'or', children: positive }];
  const all = [...either, ...negated].flatMap((c) => (c.kind === 'and' ? c.children : [c]));
  return all.length === 1 ? all[0]! : { kind: 'and', children: all };
}
