import type { ReportContent } from '../types.ts';
import { columnLabel } from './labels.ts';
import { outputDone, writeText } from './output.ts';

/**
 * The report's content as JSON: `{ title, source, generatedAt, filters, columns,
 * rows, truncated, pivot?, forecast?, anomalies? }`, numbers as the API sends
 * them (money rounded to the cent). Chart images are left out: they are in the
 * xlsx and the PDF, and base64 would only bloat the data.
 */
export function reportJson(content: ReportContent): Record<string, unknown> {
  return {
    id: content.id,
    title: content.title,
    source: content.source,
    generatedAt: content.generatedAt,
    filters: content.filters,
    dimensions: content.dimensions,
    measures: content.measures,
    columns: content.data.columns.map((c) => ({ ...c, label: columnLabel(content, c.name) })),
    rows: content.data.rows,
    truncated: content.data.truncated,
    ...(content.pivot ? { pivot: content.pivot } : {}),
    ...(content.forecast ? { forecast: content.forecast } : {}),
    ...(content.anomalies ? { anomalies: content.anomalies } : {}),
  };
}

/** Writes the JSON to `out` and ends it (rows are bounded by the query limit, so one string is fine). */
export async function writeJson(content: ReportContent, out: NodeJS.WritableStream): Promise<void> {
  const done = outputDone(out);
  await writeText(out, JSON.stringify(reportJson(content)), done);
  out.end();
  await done;
}
