/**
 * The SMTP side: one pooled nodemailer transport per worker (connections reused across messages),
 * built from SMTP_URL. Timeouts are bounded so a hung server fails an attempt (then retried) instead
 * of holding it; SEND_SETTLED_MS says how long after an attempt began its session must be over.
 */
import nodemailer, { type SendMailOptions } from 'nodemailer';

export interface SmtpResult {
  accepted: string[];
  rejected: string[];
  /** nodemailer's per-recipient errors for `rejected` (code and answer). */
  rejectedErrors: { recipient?: string; responseCode?: number; response?: string; message?: string }[];
  response: string;
}

export interface SmtpTransport {
  send(message: SendMailOptions): Promise<SmtpResult>;
  close(): void;
}

const CONNECTION_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;

/**
 * After this long, an attempt that began sending is over, one way or the other: its connection was
 * opened within CONNECTION_TIMEOUT_MS and a silent server is dropped after SOCKET_TIMEOUT_MS. Only then
 * is "the server does not hold it" a safe reason to send again (an earlier attempt still talking to
 * the server could otherwise deliver its copy after the check looked).
 */
export const SEND_SETTLED_MS = CONNECTION_TIMEOUT_MS + SOCKET_TIMEOUT_MS + 15_000;

export function createSmtpTransport(smtpUrl: string, options: { maxConnections?: number } = {}): SmtpTransport {
  const url = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    pool: true,
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587),
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    maxConnections: options.maxConnections ?? 5,
    maxMessages: 1000,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: CONNECTION_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
  });
  return {
    async send(message) {
      const info = await transport.sendMail(message);
      const rejectedErrors = ((info as { rejectedErrors?: SmtpResult['rejectedErrors'] }).rejectedErrors ?? []).map((e) => ({
        recipient: e.recipient,
        responseCode: e.responseCode,
        response: e.response,
        message: e.message,
      }));
      return {
        accepted: info.accepted.map((a) => String(a).toLowerCase()),
        rejected: info.rejected.map((a) => String(a).toLowerCase()),
        rejectedErrors,
        response: info.response,
      };
    },
    close: () => transport.close(),
  };
}
