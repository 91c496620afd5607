/**
 * What an SMTP failure means for the message: permanent (5xx: the server refused it for good, do not
 * retry), or transient (4xx, a network fault: retry with backoff), and whether the server may still
 * have accepted it (a connection lost after the message's body went out: only the delivery check knows).
 */

export interface SmtpFailure {
  /** `permanent`: a 5xx answer; `transient`: a 4xx answer or a fault of the connection. */
  kind: 'permanent' | 'transient';
  /**
   * `no`: the server answered with a refusal, or the session broke before DATA, so the message was not
   * accepted and may be sent again freely. `unknown`: the session broke while or after the body went
   * out; the server may hold the message.
   */
  accepted: 'no' | 'unknown';
  /** E_SMTP_PERMANENT or E_SMTP_TRANSIENT; the reason (code, command, answer) is in `message`. */
  code: 'E_SMTP_PERMANENT' | 'E_SMTP_TRANSIENT';
  responseCode?: number;
  message: string;
}

interface NodemailerError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

/** Commands after which a broken session leaves the message's fate unknown (the body may have been accepted). */
const AMBIGUOUS_COMMANDS = new Set(['DATA', 'CONN', 'BDAT']);

/** Nodemailer's own verdicts on our input or setup that no retry can change. */
const PERMANENT_CODES = new Set(['EMESSAGE_SIZE', 'ECONFIG', 'EFILEACCESS', 'EURLACCESS', 'EMAXRECIPIENTS']);

export function classifySmtpError(error: unknown): SmtpFailure {
  const e = (error ?? {}) as NodemailerError;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const detail = [e.code, e.command, e.response ?? e.message].filter(Boolean).join(' ').replace(/[\r\n]+/g, ' ').slice(0, 500);
  if (responseCode !== undefined && responseCode >= 500) {
    return { kind: 'permanent', accepted: 'no', code: 'E_SMTP_PERMANENT', responseCode, message: detail };
  }
  if (responseCode !== undefined) {
    // A 4xx (or any other) answer is the server saying "not now": it did not take the message.
    return { kind: 'transient', accepted: 'no', code: 'E_SMTP_TRANSIENT', responseCode, message: detail };
  }
  if (e.code && PERMANENT_CODES.has(e.code)) return { kind: 'permanent', accepted: 'no', code: 'E_SMTP_PERMANENT', message: detail };
  const ambiguous = e.command === undefined || AMBIGUOUS_COMMANDS.has(e.command);
  return { kind: 'transient', accepted: ambiguous ? 'unknown' : 'no', code: 'E_SMTP_TRANSIENT', message: detail || String(error) };
}

/** A recipient's RCPT answer from nodemailer's `rejectedErrors`: its code and text, one line. */
export function rejectionDetail(error: NodemailerError & { recipient?: string }): { permanent: boolean; detail: string } {
  const responseCode = typeof error.responseCode === 'number' ? error.responseCode : 0;
  return {
    permanent: responseCode >= 500,
    detail: (error.response ?? error.message ?? 'rejected').replace(/[\r\n]+/g, ' ').slice(0, 300),
  };
}
