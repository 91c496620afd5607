/**
 * Runs the PDF reader in a child process with a memory and time budget.
 *
 * A PDF's streams are deflate-compressed and pdfjs inflates a page's content
 * stream whole, so a 5 MB file can demand gigabytes and minutes (a "flate
 * bomb"); the CPU loop never yields, so nothing in the same thread can stop
 * it. A child process can be measured (its resident set, from /proc on Linux)
 * and killed without harming the worker that asked: the caller gets
 * E_DOCUMENT_TOO_LARGE. The V8 heap is capped too (--max-old-space-size).
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DocumentRejectedError } from '../../errors.ts';
import type { ExtractLimits, ExtractedText } from '../types.ts';
import type { PdfChildReply, PdfChildRequest } from './pdf-child.ts';
import { assertFileSize } from './read.ts';

const CHILD = fileURLToPath(new URL('./pdf-child.ts', import.meta.url));
const MEMORY_POLL_MS = 100;

/** Resident bytes of a process, or 0 where /proc is not available (then only the heap cap and timeout apply). */
function residentBytes(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

function fromReply(reply: PdfChildReply): ExtractedText | Error {
  if ('ok' in reply) return reply.ok;
  if ('rejected' in reply) return new DocumentRejectedError(reply.rejected.code, reply.rejected.message);
  // Not the document's fault (e.g. the file vanished): keep the code so the caller may retry.
  return Object.assign(new Error(reply.failed.message), reply.failed.code ? { code: reply.failed.code } : {});
}

export async function extractPdf(filePath: string, limits: ExtractLimits): Promise<ExtractedText> {
  await assertFileSize(filePath, limits);
  const heapMb = Math.max(64, Math.floor(limits.maxPdfMemoryBytes / 1024 / 1024));
  return new Promise<ExtractedText>((resolve, reject) => {
    const child = fork(CHILD, [], {
      execArgv: [...process.execArgv, `--max-old-space-size=${heapMb}`],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    let reply: PdfChildReply | undefined;
    let overBudget: string | undefined;
    const stop = (why: string) => {
      overBudget ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`took longer than ${limits.pdfTimeoutMs} ms`), limits.pdfTimeoutMs);
    const poll = setInterval(() => {
      if (child.pid !== undefined && residentBytes(child.pid) > limits.maxPdfMemoryBytes) {
        stop(`needed more than ${limits.maxPdfMemoryBytes} bytes of memory`);
      }
    }, MEMORY_POLL_MS);
    child.on('message', (message: PdfChildReply) => {
      reply = message;
    });
    // 'close' comes after every IPC message, so the reply (if any) is in by then.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      if (overBudget) {
        reject(new DocumentRejectedError('E_DOCUMENT_TOO_LARGE', `Reading the PDF ${overBudget}; it is too large or too complex`));
      } else if (reply) {
        const result = fromReply(reply);
        if (result instanceof Error) reject(result);
        else resolve(result);
      } else {
        reject(new DocumentRejectedError('E_CORRUPT_DOCUMENT', `The PDF reader stopped without an answer (${signal ?? `exit ${code}`})`));
      }
    });
    // Failing to start the child is the machine's problem, not the document's: a plain, retryable error.
    child.on('error', (error) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(error);
    });
    const request: PdfChildRequest = { filePath, limits };
    // A send that fails (child already gone) surfaces as 'error' or 'close' above.
    child.send(request, () => undefined);
  });
}
