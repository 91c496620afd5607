import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rasterize, renderChart, renderChartSvg, OTHER, type ChartInput } from '../../../lib/reports/charts/index.ts';
import { foldCategories } from '../../../lib/reports/charts/fold.ts';

// Real ECharts SSR and real resvg with the embedded font: nothing is mocked.
const regions = ['华东', '华北', '华南', '西南', '东北'];
const months = Array.from({ length: 6 }, (_, i) => `2025-0${i + 1}`);
const svgTexts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

const samples: ChartInput[] = [
  {
    type: 'line', title: '收入 预测', valueLabel: '收入', categories: months, dashed: ['预测'],
    series: [{ name: '实际', values: [10, 12, 11, 13, null, null] }, { name: '预测', values: [null, null, null, 13, 14, 15] }],
    band: { name: '95% 预测区间', lower: [null, null, null, 13, 12, 12], upper: [null, null, null, 13, 16, 18] },
    marks: [{ category: '2025-02', value: 12, label: '突增', kind: 'spike' }, { category: '2025-03', value: 11, label: '骤降', kind: 'drop' }],
  },
  { type: 'bar', title: '收入 按 地区', valueLabel: '收入', categories: regions, series: [{ name: '企业', values: [5e6, 4e6, 3e6, 2e6, 1e6] }, { name: '个人', values: [1, 2, 3, 2, 1].map((v) => v * 1e6) }] },
  { type: 'pie', title: '收入 按 地区', slices: regions.map((name, i) => ({ name, value: (i + 1) * 1000 })) },
  { type: 'heatmap', title: '收入：月 × 地区', x: months, y: regions, ordered: true, cells: months.flatMap((x, i) => regions.map((y, j) => ({ x, y, value: (i + 1) * (j + 1) }))) },
  { type: 'sankey', title: '收入：发货地区 → 收货地区', links: [{ source: '华东', target: '华北', value: 5 }, { source: '华北', target: '华东', value: 3 }, { source: '华南', target: '华南', value: 4 }] },
  { type: 'radar', title: '收入 按 品类', indicators: ['工具', '电子', '办公'].map((name) => ({ name })), series: regions.slice(0, 2).map((name, i) => ({ name, values: [1, 2, 3].map((v) => v * (i + 1)) })) },
];

/** Dark pixels (luminance < 128) in rows [top, bottom) of an RGBA image. */
function ink(pixels: Buffer, width: number, top: number, bottom: number): number {
  let dark = 0;
  for (let i = top * width * 4; i < bottom * width * 4; i += 4) {
    if (0.299 * pixels[i]! + 0.587 * pixels[i + 1]! + 0.114 * pixels[i + 2]! < 128) dark++;
  }
  return dark;
}

describe('renderChart', () => {
  for (const input of samples) {
    test(`${input.type}: SVG with the Chinese labels as text, and a PNG twice its size`, async (t) => {
      const started = performance.now();
      const chart = await renderChart(input);
      t.diagnostic(`${input.type}: ${(performance.now() - started).toFixed(0)} ms, svg ${chart.svg.length} B, png ${chart.png.length} B`);
      assert.equal(chart.type, input.type);
      assert.equal(chart.title, input.title);
      assert.deepEqual([chart.width, chart.height], [800, 450]);
      assert.ok(chart.svg.startsWith('<svg') && chart.svg.includes('font-family:Noto Sans Hans'));
      const texts = svgTexts(chart.svg);
      assert.ok(texts.includes(input.title), `title drawn: ${texts.slice(0, 5).join(' | ')}`);
      assert.ok(texts.some((s) => /华东|工具|实际/.test(s)), 'a Chinese label is drawn as text');
      assert.equal(chart.png.subarray(1, 4).toString(), 'PNG');
      assert.deepEqual([chart.png.readUInt32BE(16), chart.png.readUInt32BE(20)], [1600, 900]);
    });
  }

  test('the PNG draws the Chinese glyphs: ink in the title band, and different ink for different characters', async () => {
    const bar = samples[1] as Extract<ChartInput, { type: 'bar' }>;
    const band = async (title: string) => {
      const image = await rasterize(renderChartSvg({ ...bar, title }).svg, 1);
      return { dark: ink(image.pixels, image.width, 0, 40), pixels: image.pixels.subarray(0, image.width * 40 * 4) };
    };
    const [blank, revenue, region] = await Promise.all([band('    '), band('收入收入收入'), band('地区地区地区')]);
    assert.equal(blank.dark, 0);
    assert.ok(revenue.dark > 150, `收入 inked ${revenue.dark} dark pixels`);
    assert.ok(region.dark > 150, `地区 inked ${region.dark} dark pixels`);
    // A missing font would draw the same .notdef box (or nothing) for every character.
    assert.notDeepEqual(revenue.pixels, region.pixels);
  });

  test('the forecast band is a filled area, and anomalies are marked with their labels', () => {
    const line = samples[0] as Extract<ChartInput, { type: 'line' }>;
    // The band's area: a path filled in the band's colour, translucent (the other is its legend icon).
    const bandAreas = (svg: string) => (svg.match(/<path d="M[^"]{40,}" fill="rgb\(78,121,167\)" fill-opacity="0\.\d+"/g) ?? []).length;
    const withBand = renderChartSvg(line).svg;
    const without = renderChartSvg({ ...line, band: undefined, marks: undefined }).svg;
    assert.equal(bandAreas(withBand), 1, 'one translucent area: the band');
    assert.equal(bandAreas(without), 0);
    assert.ok(svgTexts(withBand).includes('95% 预测区间'), 'the band is in the legend');
    assert.deepEqual(svgTexts(withBand).filter((s) => s === '突增' || s === '骤降').sort(), ['突增', '骤降']);
    assert.ok(!svgTexts(without).includes('突增'));
  });

  test('sankey: a name on both sides is two nodes; a cycle is dropped instead of hanging ECharts', { timeout: 10_000 }, () => {
    const sankey = samples[4] as Extract<ChartInput, { type: 'sankey' }>;
    const texts = svgTexts(renderChartSvg(sankey).svg);
    assert.deepEqual(texts.filter((s) => s.startsWith('华东')).sort(), ['华东 3', '华东 5']);
    assert.deepEqual(texts.filter((s) => s.startsWith('华南')), ['华南 4', '华南 4']);
    // One set of nodes: 华东 → 华北 → 华东 is a cycle (the lighter flow goes), 华南 → 华南 one of its own.
    const cyclic = renderChartSvg({ ...sankey, bipartite: false }).svg;
    assert.ok(svgTexts(cyclic).some((s) => s.includes('2 条成环的流未画出')));
    assert.deepEqual(svgTexts(cyclic).filter((s) => /^华[东北] /.test(s)).sort(), ['华东 5', '华北 5']);
  });

  test('over the limits: the rest folds into 其他 when values add up, and is left out when not', () => {
    const categories = Array.from({ length: 100 }, (_, i) => `客户${i}`);
    const values = categories.map((_, i) => i + 1);
    const bar: ChartInput = { type: 'bar', title: '收入 按 客户', categories, series: [{ name: '收入', values }] };
    // Axis labels that would overlap are skipped in the picture: the folded data is checked on its own.
    const folded = foldCategories(categories, [{ name: '收入', values }], 60, { additive: true, ordered: false });
    assert.deepEqual(folded.value.categories, [...categories.slice(41), OTHER]);
    assert.deepEqual(folded.value.series[0]!.values, [...values.slice(41), (41 * 42) / 2]);
    const texts = svgTexts(renderChartSvg(bar).svg);
    assert.ok(texts.some((s) => s.includes('另 41 项并入“其他”')));
    const averages = svgTexts(renderChartSvg({ ...bar, additive: false }).svg);
    assert.ok(!averages.includes(OTHER) && averages.some((s) => s.includes('仅显示最大的 60 项（共 100 项）')));
    const pie = svgTexts(renderChartSvg({ type: 'pie', title: '饼', slices: categories.map((name, i) => ({ name, value: values[i]! })) }).svg);
    // The 11 largest (90…100) and 其他 = 1 + … + 89.
    assert.ok(pie.includes(OTHER) && pie.includes('4,005（79.31%）') && pie.includes('客户99') && !pie.includes('客户88'));
    const many = Array.from({ length: 20 }, (_, i) => ({ name: `系列${i}`, values: [i, i] }));
    const lines = svgTexts(renderChartSvg({ type: 'line', title: '线', categories: ['a', 'b'], series: many }).svg);
    assert.ok(lines.includes(OTHER) && lines.includes('系列19') && !lines.includes('系列0'));
    const periods = Array.from({ length: 80 }, (_, i) => `P${String(i).padStart(2, '0')}`);
    const ordered = svgTexts(renderChartSvg({ type: 'bar', title: '期', ordered: true, categories: periods, series: [{ name: 'x', values: periods.map(() => 1) }] }).svg);
    assert.ok(!ordered.includes(OTHER) && ordered.some((s) => s.includes('仅显示最近 60 期（共 80 期）')));
  });

  test('hostile text is escaped and bounded, and each render stands alone', async () => {
    const title = `<script>alert("x")</script> & \u0000\u0007 ${'长'.repeat(10_000)}`;
    const bar: ChartInput = { type: 'bar', title, categories: ['<img src=x onerror=alert(1)>', 'a&b', '\ud800'], series: [{ name: '"quoted"', values: [1, 2, 3] }] };
    const { svg } = renderChartSvg(bar);
    assert.ok(!/<script|<img/i.test(svg));
    assert.ok(svg.includes('&lt;script&gt;') && svg.includes('&amp;') && svg.includes('a&amp;b'));
    assert.ok(!/[\u0000-\u0008\ud800-\udfff]/.test(svg));
    const drawnTitle = svgTexts(svg).find((s) => s.includes('script'))!;
    assert.ok([...drawnTitle].length <= 240, `title bounded (${drawnTitle.length} chars in SVG)`);
    assert.ok(svg.length < 20_000);
    const rendered = await renderChart(bar);
    assert.equal([...rendered.title].length, 200);
    // Same input, same picture: nothing from the charts drawn in between leaks into it.
    // (zrender numbers its instances and classes in class names from process-wide counters: zr16-cls-91)
    const same = (svg: string) => svg.replace(/zr\d+-cls-\d+/g, 'zr-cls');
    assert.equal(same(renderChartSvg(samples[1]!).svg), same(renderChartSvg(samples[1]!).svg));
    assert.equal(renderChartSvg({ ...bar, title: 'x' }, { width: 5, height: 1e9 }).size.height, 1600);
  });
});
