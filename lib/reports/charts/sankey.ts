import { CHART_LIMITS, OTHER, type SankeyChartInput } from './input.ts';
import { foldAmounts } from './fold.ts';
import { baseOption, hasSubtitle, type BuiltOption, type Size } from './options-base.ts';
import { cleanText, formatValue, toNumber } from './text.ts';

/**
 * Sankey flows. ECharts keys a sankey's nodes by name, so a name on both sides
 * ("华东" as a shipping and as a billing region) would be one node and a loop;
 * and on any cycle its layout never returns (probed: it spins forever). So nodes
 * get ids of our own, the label shows the name, and cycles are refused here.
 */
interface Flow { source: string; target: string; value: number }

/** Node name → the name kept after folding (OTHER when folded, undefined when left out). */
function foldNodes(totals: Map<string, number>, limit: number, additive: boolean): { keep: Map<string, string>; note?: string } {
  const folded = foldAmounts([...totals].map(([name, value]) => ({ name, value })), limit, additive);
  const kept = new Set(folded.value.map((e) => e.name));
  const keep = new Map<string, string>();
  for (const name of totals.keys()) {
    if (kept.has(name)) keep.set(name, name);
    else if (additive) keep.set(name, OTHER);
  }
  return { keep, note: folded.note };
}

/** Whether `to` can be reached from `from` along the accepted links. */
function reaches(next: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === to) return true;
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push(...(next.get(node) ?? []));
  }
  return false;
}

export function sankeyOption(input: SankeyChartInput, size: Size): BuiltOption {
  const bipartite = input.bipartite ?? true;
  const additive = input.additive ?? true;
  const notes: string[] = [];
  // Side-qualified keys: in a bipartite chart "L|华东" and "R|华东" are two nodes.
  const side = (s: 'L' | 'R', name: string) => (bipartite ? `${s}|${name}` : `N|${name}`);
  const flows: Flow[] = [];
  for (const link of input.links) {
    const value = toNumber(link.value);
    if (value !== null && value > 0) flows.push({ source: side('L', cleanText(link.source)), target: side('R', cleanText(link.target)), value });
  }
  if (flows.length < input.links.length) notes.push(`${input.links.length - flows.length} 条流为零、负数或缺失，未画出`);

  // Fold each side (or the one set of nodes) to its heaviest nodes.
  const totals = new Map<string, number>();
  for (const f of flows) for (const key of [f.source, f.target]) totals.set(key, (totals.get(key) ?? 0) + f.value);
  const sides = bipartite ? ['L|', 'R|'] : ['N|'];
  const keep = new Map<string, string>();
  for (const prefix of sides) {
    const own = new Map([...totals].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(2), v]));
    const folded = foldNodes(own, bipartite ? CHART_LIMITS.sankeyNodes : CHART_LIMITS.sankeyNodes * 2, additive);
    if (folded.note) notes.push(`节点：${folded.note}`);
    for (const [name, kept] of folded.keep) keep.set(prefix + name, prefix + kept);
  }

  // Merge the flows that folding made parallel; a flow folded onto itself is no flow.
  const merged = new Map<string, Flow>();
  let selfLoops = 0;
  for (const f of flows) {
    const [source, target] = [keep.get(f.source), keep.get(f.target)];
    if (source === undefined || target === undefined) continue;
    // A flow from a node to itself is the smallest cycle.
    if (source === target) { selfLoops++; continue; }
    const key = JSON.stringify([source, target]);
    const prior = merged.get(key);
    if (prior) prior.value += f.value;
    else merged.set(key, { source, target, value: f.value });
  }
  const ranked = [...merged.values()].sort((a, b) => b.value - a.value);
  const accepted: Flow[] = [];
  const next = new Map<string, Set<string>>();
  let cyclic = selfLoops;
  for (const f of ranked) {
    if (accepted.length === CHART_LIMITS.sankeyLinks) break;
    // Heaviest first: of two opposite flows, the smaller is the one dropped.
    if (!bipartite && reaches(next, f.target, f.source)) { cyclic++; continue; }
    accepted.push(f);
    next.set(f.source, (next.get(f.source) ?? new Set()).add(f.target));
  }
  if (cyclic > 0) notes.push(`${cyclic} 条成环的流未画出`);
  const unshown = ranked.length - accepted.length - (cyclic - selfLoops);
  if (unshown > 0) notes.push(`仅画出最大的 ${accepted.length} 条流（另 ${unshown} 条较小）`);

  // Ids n0, n1… are what ECharts sees; the label formatter shows the name.
  const ids = new Map<string, string>();
  const names = new Map<string, string>();
  for (const f of accepted) for (const key of [f.source, f.target]) {
    if (!ids.has(key)) { ids.set(key, `n${ids.size}`); names.set(`n${names.size}`, key.slice(2)); }
  }
  const empty = accepted.length === 0;
  const option = baseOption(input, notes, size, empty);
  const top = hasSubtitle(option) ? 84 : 60;
  const labelWidth = Math.round(size.width * 0.17);
  return {
    option: {
      ...option,
      series: [{
        type: 'sankey',
        top,
        bottom: 16,
        left: bipartite ? labelWidth + 8 : 16,
        right: labelWidth + 8,
        nodeGap: 6,
        layoutIterations: 32,
        data: [...ids.values()].map((name) => ({ name })),
        links: accepted.map((f) => ({ source: ids.get(f.source), target: ids.get(f.target), value: f.value })),
        lineStyle: { color: 'gradient', opacity: 0.35, curveness: 0.5 },
        label: { fontSize: 11, width: labelWidth, overflow: 'truncate', formatter: (p: { name: string; value: number }) => `${names.get(p.name) ?? ''} ${formatValue(p.value)}` },
        // Sources' labels to their left, targets' to their right: both outside the flows.
        levels: bipartite ? [{ depth: 0, label: { position: 'left' } }, { depth: 1, label: { position: 'right' } }] : [],
      }],
    },
    empty,
  };
}
