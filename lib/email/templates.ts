/**
 * Email templates: a subject, a text part and an HTML part per locale, written in
 * Mustache. Variables are HTML-escaped in the HTML part (the unescaped forms
 * `{{{x}}}` and `{{& x}}` are refused there when the template is saved), printed
 * as given in the text part and the subject (which are not HTML). A rendered
 * subject is a header: a value that puts a CR or LF into it is refused.
 *
 * Data is the caller's JSON, so nothing in it can run; it is copied into objects
 * without prototypes so `{{constructor}}` or `{{list.map}}` finds nothing, and
 * rendering is bounded (nested sections over long lists cannot run away).
 */
import Mustache from 'mustache';
import { AppError } from '../errors.ts';
import { headerTextProblem } from './addresses.ts';
import { EMAIL_LIMITS } from './types.ts';

/** One locale's parts. At least one of text and html. */
export interface TemplateContent {
  subject: string;
  text?: string;
  html?: string;
}

export type TemplateLocales = Record<string, TemplateContent>;

export const TEMPLATE_LIMITS = {
  locales: 10,
  subjectChars: 998,
  /** Characters of one part's source. */
  partChars: 100_000,
  /** How deep sections may nest. */
  sectionDepth: 4,
  /** Section bodies rendered per message: `{{#a}}{{#b}}…` over long lists stops here. */
  renderSteps: 20_000,
} as const;

/** A field of the request is wrong: `errors` name each (as the API's problems do); 413 when a size limit is passed. */
export class EmailInputError extends AppError {
  constructor(
    readonly errors: { field: string; detail: string }[],
    readonly status: 400 | 413 = 400,
  ) {
    super('E_EMAIL_INPUT', errors.map((e) => `${e.field}: ${e.detail}`).join('; '));
  }
}

type Token = [string, string, number, number, Token[]?, number?];
const PARTS = ['subject', 'text', 'html'] as const;
type Part = (typeof PARTS)[number];
/** A variable: `.`, or dotted names of letters (any script), digits, `_` and `-`. */
const VARIABLE = /^(\.|[\p{L}_][\p{L}\p{N}_-]*(\.[\p{L}\p{N}_-]+)*)$/u;

function parse(source: string): Token[] {
  // A fresh writer without a cache: Mustache's default one keeps every template it has seen, forever.
  const writer = new Mustache.Writer();
  (writer as { templateCache?: unknown }).templateCache = undefined;
  return writer.parse(source) as Token[];
}

/** Problems of one part's source: syntax, partials, unescaped HTML, names, nesting. */
function sourceProblems(source: string, part: Part): string[] {
  let tokens: Token[];
  try {
    tokens = parse(source);
  } catch (error) {
    return [`not a valid Mustache template: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  const walk = (list: Token[], depth: number) => {
    for (const [type, name, , , children] of list) {
      if (type === '>') problems.push(`partials ({{> ${name}}}) are not supported`);
      if (type === '&' && part === 'html') problems.push(`{{{${name}}}} and {{& ${name}}} would put unescaped text into HTML: use {{${name}}}`);
      if (['name', '&', '#', '^'].includes(type) && !VARIABLE.test(name)) problems.push(`${JSON.stringify(name)} is not a variable name`);
      if (type === '#' || type === '^') {
        if (depth + 1 > TEMPLATE_LIMITS.sectionDepth) problems.push(`sections nest at most ${TEMPLATE_LIMITS.sectionDepth} deep`);
        else walk(children ?? [], depth + 1);
      }
    }
  };
  walk(tokens, 0);
  return [...new Set(problems)];
}

/**
 * Checks a template's locales when it is saved: each part parses, the HTML part
 * has only escaped variables, no partials; the subject is one line. Fields are
 * named `locales.<locale>.<part>`.
 */
export function checkTemplateSources(locales: TemplateLocales): { field: string; detail: string }[] {
  const errors: { field: string; detail: string }[] = [];
  for (const [locale, content] of Object.entries(locales)) {
    for (const part of PARTS) {
      const source = content[part];
      if (source === undefined) continue;
      for (const detail of sourceProblems(source, part)) errors.push({ field: `locales.${locale}.${part}`, detail });
    }
    const subjectProblem = headerTextProblem(content.subject);
    if (subjectProblem) errors.push({ field: `locales.${locale}.subject`, detail: subjectProblem });
  }
  return errors;
}

/**
 * The locale to render: the one asked for (case-insensitive), else its shorter
 * forms (zh-Hans-CN → zh-Hans → zh), else another of the same language (zh → zh-CN,
 * en-US → en-GB), else the template's default.
 */
export function pickLocale(available: readonly string[], defaultLocale: string, wanted?: string): string {
  if (!wanted) return defaultLocale;
  const byLower = new Map(available.map((l) => [l.toLowerCase(), l]));
  const subtags = wanted.toLowerCase().split('-');
  for (let n = subtags.length; n >= 1; n--) {
    const found = byLower.get(subtags.slice(0, n).join('-'));
    if (found) return found;
  }
  const sameLanguage = available.filter((l) => l.toLowerCase().split('-')[0] === subtags[0]);
  if (sameLanguage.includes(defaultLocale)) return defaultLocale;
  return sameLanguage[0] ?? defaultLocale;
}

/** JSON copied into prototype-less objects and arrays: a variable can only reach what the caller sent. */
function inert(value: unknown): unknown {
  if (Array.isArray(value)) return Object.setPrototypeOf(value.map(inert), null);
  if (value !== null && typeof value === 'object') {
    const copy = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) copy[k] = inert(v);
    return copy;
  }
  return value;
}

const show = (v: unknown) => (typeof v === 'object' ? JSON.stringify(v) : String(v));
const identity = (s: string) => s;

class RenderLimit extends Error {}

/** Renders one part with a writer that counts its output and its section steps. */
function renderPart(source: string, view: unknown, escape: (s: string) => string): string {
  const writer = new Mustache.Writer();
  // Mustache's hooks, replaced on this writer only: counting, and printing an object as JSON rather than throwing.
  const hooks = writer as unknown as Record<string, unknown>;
  hooks.templateCache = undefined;
  let chars = 0;
  let steps = 0;
  const count = (s: string) => {
    chars += s.length;
    if (chars > EMAIL_LIMITS.bodyBytes) throw new RenderLimit(`the rendered message exceeds ${EMAIL_LIMITS.bodyBytes} bytes`);
    return s;
  };
  type Ctx = { lookup(name: string): unknown };
  hooks.rawValue = (token: string[]) => count(token[1]!);
  hooks.escapedValue = (token: string[], context: Ctx) => {
    const v = context.lookup(token[1]!);
    return v == null ? undefined : count(escape(show(v)));
  };
  hooks.unescapedValue = (token: string[], context: Ctx) => {
    const v = context.lookup(token[1]!);
    return v == null ? undefined : count(show(v));
  };
  const renderTokens = Mustache.Writer.prototype.renderTokens;
  hooks.renderTokens = function (this: Mustache.Writer, ...args: Parameters<typeof renderTokens>) {
    if (++steps > TEMPLATE_LIMITS.renderSteps) throw new RenderLimit(`the template's sections repeat more than ${TEMPLATE_LIMITS.renderSteps} times with this data`);
    return renderTokens.apply(this, args);
  };
  return writer.render(source, view, undefined, { escape });
}

/** Top-level variables (outside sections) a part prints: these must be in the data. */
function requiredNames(source: string): string[] {
  return parse(source)
    .filter(([type, name]) => (type === 'name' || type === '&') && name !== '.')
    .map(([, name]) => name.split('.')[0]!);
}

export interface RenderedMessage {
  subject: string;
  text?: string;
  html?: string;
}

/**
 * Renders a saved template's locale with the caller's data. A top-level variable
 * the data lacks is a 400 naming `data.<name>` (a typo would otherwise send a
 * message with a hole in it); inside a section a missing name prints nothing, as
 * Mustache does (sections are for optional and repeated parts). `null` prints nothing.
 */
export function renderTemplate(content: TemplateContent, data: Record<string, unknown>): RenderedMessage {
  const missing = new Set<string>();
  for (const part of PARTS) {
    const source = content[part];
    if (source === undefined) continue;
    for (const name of requiredNames(source)) if (!Object.hasOwn(data, name)) missing.add(name);
  }
  if (missing.size > 0) throw new EmailInputError([...missing].map((name) => ({ field: `data.${name}`, detail: 'the template uses this variable; give it a value (null for none)' })));
  const view = inert(data);
  try {
    const subject = renderPart(content.subject, view, identity);
    const problem = headerTextProblem(subject);
    if (problem) {
      const culprit = requiredNames(content.subject).find((n) => typeof data[n] === 'string' && headerTextProblem(data[n] as string));
      throw new EmailInputError([{ field: culprit ? `data.${culprit}` : 'data', detail: `a value printed in the subject ${problem}` }]);
    }
    if (subject.length > TEMPLATE_LIMITS.subjectChars) throw new EmailInputError([{ field: 'data', detail: `the rendered subject exceeds ${TEMPLATE_LIMITS.subjectChars} characters` }]);
    const text = content.text === undefined ? undefined : renderPart(content.text, view, identity);
    const html = content.html === undefined ? undefined : renderPart(content.html, view, Mustache.escape);
    if (Buffer.byteLength(text ?? '') + Buffer.byteLength(html ?? '') > EMAIL_LIMITS.bodyBytes) {
      throw new EmailInputError([{ field: 'data', detail: `the rendered message exceeds ${EMAIL_LIMITS.bodyBytes} bytes` }], 413);
    }
    return { subject, ...(text === undefined ? {} : { text }), ...(html === undefined ? {} : { html }) };
  } catch (error) {
    if (error instanceof RenderLimit) throw new EmailInputError([{ field: 'data', detail: error.message }], 413);
    throw error;
  }
}
