/**
 * A report's content and charts in blob storage while it is made: each part as
 * JSON, each chart as PNG and SVG with a manifest. Activities pass keys, the
 * workflow never holds the content (Temporal payloads stay small).
 */
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import type { BlobStore } from '../blob/port.ts';
import { chartImageKey, chartManifestKey, contentPartKey, reportPrefix } from './blob-keys.ts';
import type { ReportRecord } from './repository.ts';
import { measureColumn } from './spec.ts';
import type { RenderedChart, ReportContent } from './types.ts';

export async function writeJson(blobs: BlobStore, key: string, value: unknown): Promise<void> {
  await blobs.put(key, Readable.from([Buffer.from(JSON.stringify(value))]));
}

export async function readJson<T>(blobs: BlobStore, key: string): Promise<T> {
  return JSON.parse(await text(blobs.read(key))) as T;
}

/** The data part also records when the data was read: every file of the report shows that time. */
export interface DataPart {
  generatedAt: string;
  data: ReportContent['data'];
}

/** Everything the report's files show, from the parts its activities wrote. */
export async function loadContent(blobs: BlobStore, report: ReportRecord): Promise<ReportContent> {
  const { spec } = report;
  const { generatedAt, data } = await readJson<DataPart>(blobs, contentPartKey(report.id, 'data'));
  const content: ReportContent = {
    id: report.id,
    title: spec.title,
    source: spec.source,
    generatedAt,
    dimensions: spec.dimensions,
    measures: spec.measures,
    filters: spec.filters,
    data,
  };
  const column = (name: string | undefined) => measureColumn(name === undefined ? spec.measures[0]! : spec.measures.find((m) => measureColumn(m) === name)!);
  if (spec.pivot) content.pivot = await readJson(blobs, contentPartKey(report.id, 'pivot'));
  if (spec.forecast) {
    const forecast = await readJson<Omit<NonNullable<ReportContent['forecast']>, 'measure' | 'granularity'>>(blobs, contentPartKey(report.id, 'forecast'));
    content.forecast = { ...forecast, measure: column(spec.forecast.measure), granularity: spec.forecast.granularity };
  }
  if (spec.anomalies) {
    const anomalies = await readJson<Omit<NonNullable<ReportContent['anomalies']>, 'measure' | 'granularity'>>(blobs, contentPartKey(report.id, 'anomalies'));
    content.anomalies = { ...anomalies, measure: column(spec.anomalies.measure), granularity: spec.anomalies.granularity };
  }
  return content;
}

type ChartEntry = Omit<RenderedChart, 'png' | 'svg'>;

export async function saveCharts(blobs: BlobStore, reportId: string, charts: RenderedChart[]): Promise<void> {
  for (const [i, chart] of charts.entries()) {
    await blobs.put(chartImageKey(reportId, i, 'png'), Readable.from([chart.png]));
    await blobs.put(chartImageKey(reportId, i, 'svg'), Readable.from([Buffer.from(chart.svg)]));
  }
  // The manifest last: present means every image before it is complete.
  const manifest: ChartEntry[] = charts.map(({ title, type, width, height }) => ({ title, type, width, height }));
  await writeJson(blobs, chartManifestKey(reportId), manifest);
}

export async function loadCharts(blobs: BlobStore, reportId: string): Promise<RenderedChart[]> {
  if (!(await blobs.exists(chartManifestKey(reportId)))) return [];
  const manifest = await readJson<ChartEntry[]>(blobs, chartManifestKey(reportId));
  return Promise.all(
    manifest.map(async (entry, i) => ({
      ...entry,
      png: await buffer(blobs.read(chartImageKey(reportId, i, 'png'))),
      svg: await text(blobs.read(chartImageKey(reportId, i, 'svg'))),
    })),
  );
}

/** Removes the report's files below `folder` (`parts/`, `charts/`, `artifacts/`), or all of them. */
export async function removeReportFiles(blobs: BlobStore, reportId: string, folder = ''): Promise<void> {
  const keys: string[] = [];
  for await (const { key } of blobs.list(reportPrefix(reportId) + folder)) keys.push(key);
  await Promise.all(keys.map((key) => blobs.delete(key)));
}
