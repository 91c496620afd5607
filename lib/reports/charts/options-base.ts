import type { EChartsCoreOption } from 'echarts/core';
import { CJK_FONT_FAMILY } from '../fonts.ts';
import type { ChartBase } from './input.ts';
import { cleanText, cleanTitle } from './text.ts';

export type Size = { width: number; height: number };

/** A chart's ECharts option, and whether it draws anything at all. */
export interface BuiltOption {
  option: EChartsCoreOption;
  empty: boolean;
}

// Colours that stay apart in print and in grey scale; ECharts' default palette
// is fine on screen but its 6th and 9th entries wash out on paper.
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#2f4b7c', '#a05195'];

/**
 * What every chart shares: the embedded CJK font for every text (resvg has no
 * other font to fall back on), a white background (a PNG in a workbook or a PDF
 * must not be transparent), no animation (SSR draws the first frame), the title
 * cut to the width, and the notes of what was folded or left out under it.
 */
export function baseOption(input: ChartBase, notes: string[], size: Size, empty: boolean): EChartsCoreOption {
  const subtitle = [input.subtitle ? cleanText(input.subtitle, 300) : '', ...notes, empty ? '无数据 / No data' : '']
    .filter(Boolean)
    .join('；');
  const width = size.width - 40;
  return {
    animation: false,
    backgroundColor: '#ffffff',
    color: PALETTE,
    textStyle: { fontFamily: CJK_FONT_FAMILY },
    title: {
      text: cleanTitle(input.title),
      subtext: subtitle,
      left: 'center',
      top: 8,
      textStyle: { fontSize: 16, fontWeight: 'bold', width, overflow: 'truncate', color: '#222222' },
      subtextStyle: { fontSize: 11, width, overflow: 'truncate', color: '#555555' },
    },
  };
}

/** Room above the plot for the title, and below for the legend; axis labels and names are kept inside. */
export function gridOf(subtitled: boolean, legend: boolean) {
  return { top: subtitled ? 78 : 56, bottom: legend ? 64 : 36, left: 24, right: 32, outerBoundsMode: 'same', outerBoundsContain: 'all' };
}

export function legendOf(names: string[]) {
  return names.length > 1 ? { bottom: 4, type: 'plain', data: [...new Set(names)], textStyle: { fontSize: 11 } } : undefined;
}

export const hasSubtitle = (option: EChartsCoreOption): boolean => Boolean((option.title as { subtext?: string }).subtext);
