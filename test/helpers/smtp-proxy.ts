/**
 * A loopback TCP proxy between a worker and the real mail server (MailDev), for FAULT INJECTION in
 * email tests: everything is forwarded byte for byte, except that it can (a) rewrite the server's
 * answer to chosen commands (a 550 or 451 for one RCPT TO: MailDev never refuses anyone) and (b) hold
 * the server's answer to the end of a message's DATA, so a test can kill the worker after the mail
 * server has accepted the message but before the worker heard so. It follows the SMTP dialogue
 * (pipelined commands, replies in order, DATA mode after a 354) and needs the session in clear text
 * (MailDev hides STARTTLS).
 */
import net from 'node:net';

export interface SmtpProxyRules {
  /** A replacement answer (one line, without CRLF) for `command`, or undefined to pass the server's on. */
  rewrite?(command: string, reply: string): string | undefined;
  /** Whether to hold the server's answer to the end of the DATA whose message contains `body` (a Buffer of the whole message). */
  holdDataEnd?(body: Buffer): boolean;
}

export interface HeldAnswer {
  /** The server's answer that the client has not seen. */
  reply: string;
  /** Passes it (and anything after it) on to the client. */
  release(): void;
  /** Closes both sides without passing it on. */
  drop(): void;
}

export interface SmtpProxy {
  url: string;
  port: number;
  /** Resolves with the next held DATA answer (see `holdDataEnd`). */
  nextHeld(): Promise<HeldAnswer>;
  close(): Promise<void>;
}

const END_OF_DATA = Buffer.from('\r\n.\r\n');

export async function startSmtpProxy(target: { host: string; port: number }, rules: SmtpProxyRules = {}): Promise<SmtpProxy> {
  const sockets = new Set<net.Socket>();
  const held: HeldAnswer[] = [];
  const waiting: ((h: HeldAnswer) => void)[] = [];
  const announce = (h: HeldAnswer) => (waiting.length ? waiting.shift()!(h) : held.push(h));

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());

    const commands: string[] = ['GREETING'];
    let commandText = '';
    let dataMode = false;
    let body: Buffer[] = [];
    let tail = Buffer.alloc(0);
    let holding: string[] | undefined;

    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      let rest = chunk;
      while (rest.length > 0) {
        if (dataMode) {
          // "\r\n" before the message counts: an empty message ends with ".\r\n" alone.
          const window = Buffer.concat([tail, rest]);
          const at = window.indexOf(END_OF_DATA);
          if (at < 0) {
            body.push(rest);
            tail = window.subarray(Math.max(0, window.length - 4));
            return;
          }
          const used = at + END_OF_DATA.length - tail.length;
          body.push(rest.subarray(0, used));
          rest = rest.subarray(used);
          dataMode = false;
          commands.push(`END-OF-DATA\n${Buffer.concat(body).toString('latin1')}`);
          body = [];
          continue;
        }
        commandText += rest.toString('latin1');
        rest = Buffer.alloc(0);
        let newline: number;
        while ((newline = commandText.indexOf('\r\n')) >= 0) {
          commands.push(commandText.slice(0, newline));
          commandText = commandText.slice(newline + 2);
        }
      }
    });

    let replyText = '';
    let replyLines: string[] = [];
    const toClient = (text: string) => (holding ? holding.push(text) : client.write(text, 'latin1'));
    upstream.on('data', (chunk: Buffer) => {
      replyText += chunk.toString('latin1');
      let newline: number;
      while ((newline = replyText.indexOf('\r\n')) >= 0) {
        const line = replyText.slice(0, newline);
        replyText = replyText.slice(newline + 2);
        replyLines.push(line);
        if (/^\d{3}-/.test(line)) continue; // a multi-line reply goes on
        const reply = replyLines.join('\r\n');
        replyLines = [];
        const command = commands.shift() ?? '';
        const verb = command.split(/[\s:]/)[0]!.toUpperCase();
        if (verb === 'DATA' && reply.startsWith('354')) {
          dataMode = true;
          tail = Buffer.from('\r\n');
        }
        const replaced = rules.rewrite?.(command, reply);
        const text = `${replaced ?? reply}\r\n`;
        if (command.startsWith('END-OF-DATA\n') && rules.holdDataEnd?.(Buffer.from(command.slice(12), 'latin1'))) {
          holding = [text];
          const buffer = holding;
          announce({
            reply,
            release() {
              holding = undefined;
              for (const part of buffer) client.write(part, 'latin1');
            },
            drop() {
              client.destroy();
              upstream.destroy();
            },
          });
          continue;
        }
        toClient(text);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    nextHeld: () => (held.length ? Promise.resolve(held.shift()!) : new Promise((resolve) => waiting.push(resolve))),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
