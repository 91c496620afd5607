import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
const dir = path.join(process.env.HOME!, '.cache/aistack/state/recorded-histories');
const files = readdirSync(dir).filter((f) => new RegExp(process.env.PAT!).test(f));
const histories = files.map((f) => ({ workflowId: path.basename(f, '.json').replace(/-[0-9a-f]{8}$/, ''), history: historyFromJSON(JSON.parse(readFileSync(path.join(dir, f), 'utf8'))) }));
let n = 0; const bad: string[] = [];
for await (const r of Worker.runReplayHistories({ workflowsPath: '/work/main/workflows/index.ts', replayName: 's1' }, histories)) { n++; if (r.error) bad.push(`${r.workflowId}: ${r.error.message}`); }
console.log(`replayed ${n}, failures ${bad.length}`); for (const b of bad) console.log(b.slice(0, 60), b.match(/Nondeterminism error: ([^"]*)/)?.[1]);
