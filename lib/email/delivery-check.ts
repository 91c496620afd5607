/**
 * Does the mail server hold a Message-ID? Asked only for a message left `sending` (an attempt handed it
 * to SMTP and then died or lost the connection before recording the answer). Speaks MailDev's REST API
 * (`GET /api/email?headers.message-id=…`, which MailDev answers after it has stored the message and
 * before it sends its 250); a relay with a comparable API can stand in. Unset: nothing can be asked.
 */

export interface DeliveryCheck {
  /** How many copies the server holds under `messageId` (0: none), and their envelope recipients. */
  find(messageId: string): Promise<{ copies: number; recipients: string[] }>;
}

interface HeldMail {
  headers?: Record<string, string>;
  envelope?: { to?: { address: string }[] };
}

const bare = (id: string) => id.trim().replace(/^<|>$/g, '');

export function createDeliveryCheck(baseUrl: string | undefined, timeoutMs = 10_000): DeliveryCheck | undefined {
  if (!baseUrl) return undefined;
  const root = baseUrl.replace(/\/+$/, '');
  return {
    async find(messageId) {
      const url = `${root}/api/email?${new URLSearchParams({ 'headers.message-id': messageId })}`;
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`the delivery check answered ${response.status}`);
      const held = (await response.json()) as HeldMail[];
      // Compared again here: the filter is the server's, the decision is ours.
      const copies = held.filter((m) => bare(m.headers?.['message-id'] ?? '') === bare(messageId));
      return { copies: copies.length, recipients: copies.flatMap((m) => (m.envelope?.to ?? []).map((r) => r.address.toLowerCase())) };
    },
  };
}
