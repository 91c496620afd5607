/**
 * Report templates: a report body whose values may be parameter references, and
 * the parameters it declares. A reference is an object `{ "param": "<name>" }`
 * standing for the parameter's value anywhere in the body (a filter value, the
 * title, a horizon); a relative range stands for `[from, to]`, and
 * `{ "param": "<name>", "part": "from" | "to" }` for one end of it (a forecast's
 * `trainFrom`, an anomaly range's `to`). Parameters are resolved when a report is
 * started, and the report keeps the resolved body and the values it was given.
 */
import { resolveRelativeRange, RELATIVE_RANGES, type RelativeRange } from './relative-ranges.ts';

export const PARAMETER_TYPES = ['date', 'string', 'number', 'relative_range'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface TemplateParameter {
  name: string;
  type: ParameterType;
  default?: string | number;
  description?: string;
}

export type ParameterValue = string | number;

/** A field error in the house shape (api/problem.ts FieldError), kept here so lib does not import api. */
export interface ParameterProblem {
  field: string;
  detail: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isRealDate = (s: string) => DATE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/** Why `value` does not fit a parameter of `type`, or undefined when it does. */
export function parameterValueProblem(type: ParameterType, value: unknown): string | undefined {
  switch (type) {
    case 'date':
      return typeof value === 'string' && isRealDate(value) ? undefined : 'a date YYYY-MM-DD';
    case 'string':
      return typeof value === 'string' && value.length <= 200 && !value.includes('\u0000') ? undefined : 'a string of at most 200 characters, without NUL';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'a finite number';
    case 'relative_range':
      return (RELATIVE_RANGES as readonly unknown[]).includes(value) ? undefined : `one of ${RELATIVE_RANGES.join(', ')}`;
  }
}

/** A stand-in for a parameter with no default, to check a template when it is saved. */
function placeholder(type: ParameterType, today: string): ParameterValue {
  return { date: today, string: 'placeholder', number: 1, relative_range: 'last_30_days' }[type];
}

/**
 * The values a report from the template runs with: `given` checked against the
 * declared parameters, defaults filling the rest (`placeholders`: stand-ins too,
 * for checking a template). Problems name `parameters.<name>`.
 */
export function parameterValues(
  declared: TemplateParameter[],
  given: Record<string, unknown>,
  options: { today: string; placeholders?: boolean },
): { values: Record<string, ParameterValue>; problems: ParameterProblem[] } {
  const values: Record<string, ParameterValue> = {};
  const problems: ParameterProblem[] = [];
  for (const name of Object.keys(given)) {
    if (!declared.some((p) => p.name === name)) problems.push({ field: `parameters.${name}`, detail: 'the template declares no such parameter' });
  }
  for (const p of declared) {
    const value = Object.hasOwn(given, p.name) ? given[p.name] : (p.default ?? (options.placeholders ? placeholder(p.type, options.today) : undefined));
    if (value === undefined) {
      problems.push({ field: `parameters.${p.name}`, detail: `required: ${p.type}` });
      continue;
    }
    const problem = parameterValueProblem(p.type, value);
    if (problem) problems.push({ field: `parameters.${p.name}`, detail: problem });
    else values[p.name] = value as ParameterValue;
  }
  return { values, problems };
}

const isReference = (v: unknown): v is { param: string; part?: 'from' | 'to' } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { param?: unknown }).param === 'string' &&
  Object.keys(v).every((k) => k === 'param' || k === 'part');

/** Every parameter reference in a template body, with its path (to check they name declared parameters). */
export function references(body: unknown, path: string[] = []): { path: string; param: string; part?: string }[] {
  if (isReference(body)) return [{ path: path.join('.'), param: body.param, part: body.part }];
  if (Array.isArray(body)) return body.flatMap((v, i) => references(v, [...path, String(i)]));
  if (typeof body === 'object' && body !== null) return Object.entries(body).flatMap(([k, v]) => references(v, [...path, k]));
  return [];
}

/**
 * The body with every reference replaced by its value (relative ranges resolved on
 * `today`). References to undeclared parameters or misused parts are problems.
 */
export function substitute(
  body: unknown,
  declared: TemplateParameter[],
  values: Record<string, ParameterValue>,
  today: string,
): { body: unknown; problems: ParameterProblem[] } {
  const problems: ParameterProblem[] = [];
  const walk = (v: unknown, path: string[]): unknown => {
    if (isReference(v)) {
      const p = declared.find((d) => d.name === v.param);
      const field = path.join('.') || '(body)';
      if (!p) return void problems.push({ field, detail: `no parameter ${JSON.stringify(v.param)} is declared` });
      const value = values[p.name];
      if (value === undefined) return undefined; // its own problem is reported by parameterValues
      if (p.type !== 'relative_range') {
        if (v.part !== undefined) problems.push({ field, detail: '`part` applies to relative_range parameters only' });
        return value;
      }
      const range = resolveRelativeRange(value as RelativeRange, today);
      if (v.part === undefined) return range;
      if (v.part !== 'from' && v.part !== 'to') return void problems.push({ field, detail: '`part` is `from` or `to`' });
      return v.part === 'from' ? range[0] : range[1];
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, String(i)]));
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
    return v;
  };
  return { body: walk(body, []), problems };
}
