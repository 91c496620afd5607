/**
 * bench/email: messages per second into the real mail server (MailDev from scripts/services.sh), ours
 * against nodemailer used directly, in the same run, on the same server, with the same messages.
 * Not a test: `npm run bench:email`.
 *
 *   ours  POST /v1/emails for each message (20 requests in flight) to the API in this process, each an
 *         emails row + outbox row, a sendEmail workflow on the real Temporal server, the worker process's
 *         (worker/main.ts, spawned as production runs it) deliverMessage activity
 *         (`sending` committed before SMTP, pooled nodemailer transport of 5 connections) and the
 *         recorded outcome; timed from the first request until MailDev holds every message.
 *   peer  one pooled nodemailer transport (5 connections, as ours) sending the same messages at once;
 *         timed from the first sendMail until MailDev holds every message.
 *
 * The per-domain rate is lifted for the bench (EMAIL_DOMAIN_RATE_PER_MINUTE=1000000): it would cap ours
 * at 10 msg/s per domain by design. Rounds alternate ours/peer (ABBA) so drift on a shared machine falls
 * on both; medians. Last line: `email: ours=<msg/s> peer=<msg/s> ratio=<ours/peer>`.
 */
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { spawnWorkerProcess, startTestPlatform } from '../test/helpers/platform.ts';

const MESSAGES = Number(process.env.BENCH_EMAIL_MESSAGES ?? 200);
const ROUNDS = Number(process.env.BENCH_EMAIL_ROUNDS ?? 4);
const IN_FLIGHT = 20;
const runId = randomUUID().slice(0, 8);
const mailUi = process.env.MAIL_UI_URL ?? 'http://127.0.0.1:1080';
const smtp = new URL(process.env.SMTP_URL ?? 'smtp://127.0.0.1:1025');
const log = (line: string) => console.log(line);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The same message on both sides: one recipient, a subject naming the round, about 1 KB of text and HTML. */
const text = '本季度报告已生成，请查收。The quarterly report is ready. '.repeat(12);
const messageOf = (round: string, i: number) => ({
  to: `bench-${runId}-${round}-${i}@bench.test`,
  subject: `bench ${runId} ${round}`,
  text,
  html: `<p>${text}</p>`,
});

/** Polls MailDev until it holds `count` messages with this subject. */
async function waitForMaildev(subject: string, count: number, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${mailUi}/api/email?${new URLSearchParams({ subject })}`);
    const held = ((await response.json()) as unknown[]).length;
    if (held >= count) return;
    if (Date.now() > deadline) throw new Error(`MailDev holds ${held} of ${count} messages for "${subject}" after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function inBatches<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

log(`email bench: ${MESSAGES} messages a round, ${ROUNDS} rounds a side, MailDev at ${smtp.host} (web ${mailUi})`);
// The API in this process, the worker in its own (worker/main.ts), as production runs them.
const t = await startTestPlatform('postgres', { withWorker: false, env: { EMAIL_DOMAIN_RATE_PER_MINUTE: '1000000' } });
const worker = spawnWorkerProcess(t.env);
const peerTransport = nodemailer.createTransport({ pool: true, host: smtp.hostname, port: Number(smtp.port), secure: false, maxConnections: 5, maxMessages: 1000 });

try {
  async function ours(round: string): Promise<number> {
    const messages = Array.from({ length: MESSAGES }, (_, i) => messageOf(round, i));
    const started = performance.now();
    await inBatches(messages, IN_FLIGHT, async (m) => {
      const response = await fetch(`${t.api.url}/v1/emails`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: [m.to], subject: m.subject, text: m.text, html: m.html }),
      });
      if (response.status !== 202) throw new Error(`POST /v1/emails answered ${response.status}: ${await response.text()}`);
    });
    const accepted = performance.now();
    await waitForMaildev(messages[0]!.subject, MESSAGES);
    if (process.env.BENCH_EMAIL_VERBOSE) log(`  ours ${round}: accepted in ${((accepted - started) / 1000).toFixed(2)} s, delivered ${((performance.now() - started) / 1000).toFixed(2)} s`);
    return MESSAGES / ((performance.now() - started) / 1000);
  }

  async function peer(round: string): Promise<number> {
    const messages = Array.from({ length: MESSAGES }, (_, i) => messageOf(round, i));
    const started = performance.now();
    await Promise.all(
      messages.map((m, i) =>
        peerTransport.sendMail({ from: 'AI Stack <noreply@aistack.local>', ...m, messageId: `<peer-${runId}-${round}-${i}@aistack.local>` }),
      ),
    );
    await waitForMaildev(messages[0]!.subject, MESSAGES);
    return MESSAGES / ((performance.now() - started) / 1000);
  }

  // A warm-up of each side (worker bundle loaded, pools open, JIT), not counted.
  await ours('warm-ours');
  await peer('warm-peer');

  const ourRates: number[] = [];
  const peerRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['ours', 'peer'] as const) : (['peer', 'ours'] as const);
    for (const side of order) {
      const rate = side === 'ours' ? await ours(`ours-${r}`) : await peer(`peer-${r}`);
      (side === 'ours' ? ourRates : peerRates).push(rate);
      log(`round ${r + 1} ${side}: ${rate.toFixed(1)} msg/s`);
    }
  }
  const oursMedian = median(ourRates);
  const peerMedian = median(peerRates);
  log(`ours: median ${oursMedian.toFixed(1)} msg/s (${ourRates.map((v) => v.toFixed(1)).join(', ')})`);
  log(`peer: median ${peerMedian.toFixed(1)} msg/s (${peerRates.map((v) => v.toFixed(1)).join(', ')})`);
  log(`email: ours=${oursMedian.toFixed(1)} peer=${peerMedian.toFixed(1)} ratio=${(oursMedian / peerMedian).toFixed(3)}`);
} finally {
  peerTransport.close();
  worker.kill('SIGTERM');
  if (worker.exitCode === null) await new Promise((resolve) => worker.once('exit', resolve));
  await t.close();
}
