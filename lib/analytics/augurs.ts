/**
 * augurs' MSTL (multiple seasonal-trend decomposition with an AutoETS trend),
 * a Rust library compiled to WASM. Its `mstl.js` fetches the WASM by URL, which
 * Node cannot do for files; so the module is compiled here from the file beside
 * it, once per process, on first use (a process that never forecasts never pays).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AutoETS, initSync as initEts } from '@bsull/augurs/ets';
import { initSync as initMstl, MSTL } from '@bsull/augurs/mstl';

let loaded = false;

/**
 * The package exports `./mstl` and `./ets` but not their .wasm: resolve the JS
 * and take its sibling. createRequire, not import.meta.resolve: the latter is
 * missing where this file is compiled as CommonJS (tsx outside the package).
 */
const wasmOf = (module: 'mstl' | 'ets') =>
  readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve(`@bsull/augurs/${module}`)), `${module}_bg.wasm`));

function load(): void {
  if (loaded) return;
  initMstl({ module: wasmOf('mstl') });
  initEts({ module: wasmOf('ets') });
  loaded = true;
}

export interface ModelForecast {
  point: number[];
  lower: number[];
  upper: number[];
}

/**
 * Fits MSTL with the given seasonal periods (none: AutoETS on the series
 * itself, error and trend chosen by AIC, no season; MSTL refuses no periods)
 * and forecasts `horizon` periods with intervals at `level`. The model's WASM
 * memory is freed before returning: a model per request would otherwise leak.
 */
export function mstlForecast(y: readonly number[], periods: readonly number[], horizon: number, level: number): ModelForecast {
  load();
  const model = periods.length > 0 ? MSTL.ets([...periods]) : new AutoETS(1, 'ZZN');
  try {
    model.fit(Float64Array.from(y));
    const f = model.predict(horizon, level);
    return { point: f.point, lower: f.intervals?.lower ?? f.point, upper: f.intervals?.upper ?? f.point };
  } finally {
    model.free();
  }
}

/** In-sample one-step fits of MSTL (at least one period), with intervals at `level`: what the model expected at each period. */
export function mstlInSample(y: readonly number[], periods: readonly number[], level: number): ModelForecast {
  load();
  const model = MSTL.ets([...periods]);
  try {
    model.fit(Float64Array.from(y));
    const f = model.predictInSample(level);
    return { point: f.point, lower: f.intervals?.lower ?? f.point, upper: f.intervals?.upper ?? f.point };
  } finally {
    model.free();
  }
}
