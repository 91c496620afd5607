/**
 * What the real mail server (MailDev, from scripts/services.sh) holds, read through
 * its REST API. Suites share one MailDev: find your messages by a unique recipient
 * address or Message-ID, never by clearing the mailbox.
 */
export const mailUiUrl = () => process.env.MAIL_UI_URL ?? 'http://127.0.0.1:1080';

export interface DeliveredMail {
  id: string;
  subject: string;
  headers: Record<string, string>;
  from: { address: string; name: string }[];
  to?: { address: string; name: string }[];
  cc?: { address: string; name: string }[];
  /** The SMTP envelope: every recipient, Bcc included. */
  envelope: { from: { address: string }; to: { address: string }[] };
  // As MailDev 3 reports them (not mailparser's fileName/length).
  attachments?: { filename?: string; generatedFileName?: string; contentType: string; size?: number; checksum?: string }[];
  text?: string;
  html?: string;
}

/** Every message MailDev holds (it keeps the newest 20,000). */
export async function listMail(): Promise<DeliveredMail[]> {
  const response = await fetch(`${mailUiUrl()}/api/email`);
  if (!response.ok) throw new Error(`MailDev answered ${response.status}`);
  return (await response.json()) as DeliveredMail[];
}

/** Messages whose Message-ID header is `messageId` (with or without its angle brackets). */
export async function mailWithMessageId(messageId: string): Promise<DeliveredMail[]> {
  const wanted = messageId.replace(/^<|>$/g, '');
  return (await listMail()).filter((m) => (m.headers['message-id'] ?? '').replace(/^<|>$/g, '') === wanted);
}

/** Messages whose SMTP envelope includes `address` (to, cc or bcc). */
export async function mailTo(address: string): Promise<DeliveredMail[]> {
  const wanted = address.toLowerCase();
  return (await listMail()).filter((m) => m.envelope.to.some((r) => r.address.toLowerCase() === wanted));
}

/** Polls until `find` returns at least `count` messages, or fails after `timeoutMs`. */
export async function waitForMail(find: () => Promise<DeliveredMail[]>, count = 1, timeoutMs = 30_000): Promise<DeliveredMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`expected ${count} message(s) in MailDev, found ${found.length} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The raw message (RFC 5322 source) MailDev received. */
export async function rawMail(id: string): Promise<string> {
  const response = await fetch(`${mailUiUrl()}/api/email/${encodeURIComponent(id)}/source`);
  if (!response.ok) throw new Error(`MailDev answered ${response.status} for the source of ${id}`);
  return response.text();
}
