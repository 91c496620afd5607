/**
 * From a request body to a checked ReportSpec: the whole spec as sent, or a
 * template with its parameters resolved on the day of submission. Every problem
 * is a 400 naming its field; nothing starts until the spec passes.
 */
import type { z } from 'zod';
import type { AnalyticsEngine } from '../../lib/analytics/port.ts';
import { todayIn } from '../../lib/reports/relative-ranges.ts';
import { checkReportSpec } from '../../lib/reports/spec.ts';
import type { ReportTemplate, TemplateFields } from '../../lib/reports/template-repository.ts';
import { parameterValues, substitute, type ParameterValue } from '../../lib/reports/templates.ts';
import type { ReportSpec } from '../../lib/reports/types.ts';
import { HttpProblem, type FieldError } from '../problem.ts';
import { reportSpecSchema, type reportFromTemplateSchema } from '../report-schemas.ts';

const fail = (errors: FieldError[]) => {
  if (errors.length) throw HttpProblem.invalid(errors);
};

/** Parses a body as a spec (zod) and checks it against the catalog and itself; `prefix` places the fields (`spec.` in a template). */
export function checkedSpec(body: unknown, engine: AnalyticsEngine, prefix = ''): ReportSpec {
  const parsed = reportSpecSchema.safeParse(body);
  if (!parsed.success) fail(parsed.error.issues.map((i) => ({ field: prefix + (i.path.join('.') || '(body)'), detail: i.message })));
  const spec = parsed.data as ReportSpec;
  fail(checkReportSpec(spec, engine).map((p) => ({ field: prefix + p.field, detail: p.detail })));
  return spec;
}

/**
 * A template as it will be saved: each reference names a declared parameter, and
 * the body is a valid report with every parameter at its default (or a stand-in:
 * a date today, a string, 1, last_30_days), so a template cannot be saved broken.
 */
export function checkTemplate(fields: TemplateFields, engine: AnalyticsEngine, timeZone: string): void {
  const today = todayIn(timeZone);
  const { values, problems } = parameterValues(fields.parameters, {}, { today, placeholders: true });
  fail(problems.map((p) => ({ field: p.field, detail: `default: ${p.detail}` })));
  const resolved = substitute(fields.spec, fields.parameters, values, today);
  fail(resolved.problems.map((p) => ({ field: `spec.${p.field}`, detail: p.detail })));
  checkedSpec(resolved.body, engine, 'spec.');
}

/** The spec a report from `template` runs with, and the parameter values it was given (defaults filled). */
export function specFromTemplate(
  template: ReportTemplate,
  request: z.infer<typeof reportFromTemplateSchema>,
  engine: AnalyticsEngine,
  timeZone: string,
): { spec: ReportSpec; parameters: Record<string, ParameterValue> } {
  const today = todayIn(timeZone);
  const { values, problems } = parameterValues(template.parameters, request.parameters, { today });
  fail(problems);
  const resolved = substitute(template.spec, template.parameters, values, today);
  fail(resolved.problems.map((p) => ({ field: `template.spec.${p.field}`, detail: p.detail })));
  const body = { ...(resolved.body as Record<string, unknown>) };
  if (request.title !== undefined) body.title = request.title;
  if (request.formats !== undefined) body.formats = request.formats;
  return { spec: checkedSpec(body, engine), parameters: values };
}
