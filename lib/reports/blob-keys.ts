/**
 * Where a report's files live in blob storage: everything under `reports/<id>/`,
 * so cancelling or failing removes one prefix. Between activities the workflow
 * carries only these keys (payloads stay small), never the content.
 */
import type { ReportFormat } from './types.ts';

export const reportPrefix = (id: string) => `reports/${id}/`;

/** The content a report computes before rendering, each part written by its own activity. */
export type ReportPart = 'data' | 'pivot' | 'forecast' | 'anomalies';

/** One part of the content, written by the activity that computed it (data, pivot, forecast, anomalies). */
export const contentPartKey = (id: string, part: ReportPart) => `reports/${id}/parts/${part}.json`;

/** The rendered charts: a manifest (titles, types, sizes) and each chart's PNG and SVG. */
export const chartManifestKey = (id: string) => `reports/${id}/charts/manifest.json`;
export const chartImageKey = (id: string, index: number, kind: 'png' | 'svg') => `reports/${id}/charts/${index}.${kind}`;

/** A finished file; served by GET /v1/reports/:id/artifacts/:format. */
export const artifactKey = (id: string, format: ReportFormat) => `reports/${id}/artifacts/report.${format}`;
