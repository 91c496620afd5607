/**
 * Runs an OCR tool (tesseract, pdftoppm, pdfinfo) as a child process that can
 * neither run forever nor flood memory: it is killed at its deadline, when its
 * output passes a bound, or when the caller aborts (a cancelled activity).
 */
import { spawn } from 'node:child_process';

export interface ChildLimits {
  /** Killed (SIGKILL) after this long. */
  timeoutMs: number;
  /** Killed once stdout passes this many bytes. */
  maxStdoutBytes: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface ChildResult {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  stdout: Buffer;
  /** The last few KB of stderr, for error messages. */
  stderr: string;
}

/** Why a child was stopped before it finished by itself. */
export type ChildStop = 'timeout' | 'output' | 'aborted';

export class ChildStoppedError extends Error {
  constructor(
    readonly reason: ChildStop,
    readonly command: string,
  ) {
    super(`${command} stopped: ${reason}`);
  }
}

/** Tools print their progress and warnings to stderr; the tail is what explains a failure. */
const STDERR_TAIL_BYTES = 4096;

/**
 * Runs `command args` without a shell. Resolves with the exit code and output;
 * rejects with ChildStoppedError when stopped, or with the spawn error (ENOENT).
 */
export function runChild(command: string, args: readonly string[], limits: ChildLimits): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    if (limits.signal?.aborted) return reject(new ChildStoppedError('aborted', command));
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: limits.env ?? process.env });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = Buffer.alloc(0);
    let stopped: ChildStop | undefined;

    const stop = (reason: ChildStop) => {
      if (stopped) return;
      stopped = reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('timeout'), limits.timeoutMs);
    const onAbort = () => stop('aborted');
    limits.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (part: Buffer) => {
      stdoutBytes += part.length;
      if (stdoutBytes > limits.maxStdoutBytes) return stop('output');
      stdout.push(part);
    });
    child.stderr.on('data', (part: Buffer) => {
      stderr = Buffer.concat([stderr, part]);
      if (stderr.length > STDERR_TAIL_BYTES) stderr = stderr.subarray(stderr.length - STDERR_TAIL_BYTES);
    });

    const finish = () => {
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (error) => {
      finish();
      reject(error);
    });
    // 'close' (not 'exit') so that all output has been read.
    child.on('close', (code) => {
      finish();
      if (stopped) return reject(new ChildStoppedError(stopped, command));
      resolve({ code, stdout: Buffer.concat(stdout), stderr: stderr.toString('utf8') });
    });
  });
}
