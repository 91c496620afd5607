import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A child process running a script of this folder, read line by line. */
export interface Peer {
  child: ChildProcess;
  /** The next stdout line (bounded by `timeoutMs`). */
  nextLine(timeoutMs?: number): Promise<string>;
  send(line: string): void;
  stop(): void;
}

/** Spawns `node --import tsx <script>` with `env` added to this process's environment. */
export function spawnPeer(script: string, env: Record<string, string>): Peer {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else queue.push(line);
  });
  return {
    child,
    nextLine(timeoutMs = 30_000) {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script}: no output within ${timeoutMs} ms`)), timeoutMs);
        waiting.push((line) => {
          clearTimeout(timer);
          resolve(line);
        });
      });
    },
    send(line) {
      child.stdin!.write(`${line}\n`);
    },
    stop() {
      if (child.exitCode === null) child.kill();
    },
  };
}
