/**
 * Email addresses and header text as a caller may give them. Everything that ends
 * up in a message header passes here first: a CR or LF would let a caller write
 * headers of their own (header injection), so they are refused, never stripped.
 * lib/email/compose.ts checks again when the message is built (defence in depth).
 */
import { domainToASCII } from 'node:url';
import type { Mailbox } from './types.ts';

/** What a caller may send for one recipient: `"a@b.c"`, `"Name <a@b.c>"` or `{ name, email }`. */
export type MailboxInput = string | { name?: string; email: string };

export const ADDRESS_LIMITS = { addressChars: 254, localChars: 64, nameChars: 200 } as const;

/** A refusal: `part` says which piece of an object input is wrong (`email` or `name`), none for a string. */
export interface AddressProblem {
  part?: 'email' | 'name';
  detail: string;
}

const LINE_BREAK_OR_NUL = /[\r\n\u0000]/;
/** The other C0 controls and DEL: harmless to SMTP once encoded, but never meant in a name or subject. */
const CONTROL = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Why `value` cannot be a header value (subject, display name), or undefined when
 * it can. CR, LF and NUL are named as header injection; other controls are refused too.
 */
export function headerTextProblem(value: string): string | undefined {
  if (LINE_BREAK_OR_NUL.test(value)) return 'must not contain CR, LF or NUL (header injection is refused)';
  if (CONTROL.test(value)) return 'must not contain control characters';
  return undefined;
}

/** RFC 5321 dot-atom local part; quoted local parts ("a b"@c.d) are refused: no mail system of ours needs them. */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Checks one address and answers it normalised: the domain in lower-case ASCII
 * (an internationalised domain such as 例子.中国 becomes its xn-- form, which every
 * SMTP server takes), the local part as given (it is case-sensitive by the RFC).
 * A domain needs a dot (or is `localhost`); address literals ([1.2.3.4]) are refused.
 */
export function checkAddress(raw: string): { email: string } | { problem: string } {
  const injection = headerTextProblem(raw);
  if (injection) return { problem: injection };
  const value = raw.trim();
  if (value.length === 0) return { problem: 'an email address is required' };
  if (value.length > ADDRESS_LIMITS.addressChars) return { problem: `an address has at most ${ADDRESS_LIMITS.addressChars} characters` };
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return { problem: `${JSON.stringify(value)} is not an email address (local@domain)` };
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > ADDRESS_LIMITS.localChars) return { problem: `the part before @ has at most ${ADDRESS_LIMITS.localChars} characters` };
  if (!LOCAL_PART.test(local)) return { problem: `${JSON.stringify(value)} is not an email address: the part before @ has characters an address cannot have` };
  if (domain.startsWith('[')) return { problem: 'address literals ([1.2.3.4]) are not accepted; give a domain' };
  // domainToASCII answers '' for what is no domain (spaces, bad punycode); it also lower-cases.
  const ascii = domainToASCII(domain);
  const labels = ascii.split('.');
  const valid =
    ascii.length > 0 &&
    ascii.length <= 253 &&
    labels.every((l) => LABEL.test(l)) &&
    (ascii === 'localhost' || (labels.length >= 2 && !/^[0-9]+$/.test(labels.at(-1)!)));
  if (!valid) return { problem: `${JSON.stringify(value)} is not an email address: ${JSON.stringify(domain)} is not a domain` };
  const email = `${local}@${ascii}`;
  if (email.length > ADDRESS_LIMITS.addressChars) return { problem: `an address has at most ${ADDRESS_LIMITS.addressChars} characters` };
  return { email };
}

/** Why a display name cannot be used, or undefined. */
export function nameProblem(name: string): string | undefined {
  if (name.length > ADDRESS_LIMITS.nameChars) return `a display name has at most ${ADDRESS_LIMITS.nameChars} characters`;
  return headerTextProblem(name);
}

/** `Name <a@b.c>` or `"Name" <a@b.c>`: the name is everything before the last `<`. */
const NAME_AND_ADDRESS = /^([^<]*)<([^<>]*)>\s*$/;

/** One recipient, checked: a Mailbox, or why not (and which part, for an object). */
export function parseMailbox(input: MailboxInput): { mailbox: Mailbox } | { problem: AddressProblem } {
  if (typeof input === 'string') {
    // Checked on the whole raw text first: a CR or LF anywhere is injection, whatever the shape.
    const injection = headerTextProblem(input);
    if (injection) return { problem: { detail: injection } };
    const named = NAME_AND_ADDRESS.exec(input.trim());
    const rawName = named ? named[1]!.trim().replace(/^"(.*)"$/, '$1').trim() : '';
    const address = checkAddress(named ? named[2]! : input);
    if ('problem' in address) return { problem: { detail: address.problem } };
    const problem = rawName ? nameProblem(rawName) : undefined;
    if (problem) return { problem: { detail: problem } };
    return { mailbox: rawName ? { email: address.email, name: rawName } : { email: address.email } };
  }
  const address = checkAddress(input.email);
  if ('problem' in address) return { problem: { part: 'email', detail: address.problem } };
  if (input.name === undefined) return { mailbox: { email: address.email } };
  const problem = nameProblem(input.name);
  if (problem) return { problem: { part: 'name', detail: problem } };
  const name = input.name.trim();
  return { mailbox: name ? { email: address.email, name } : { email: address.email } };
}

/** Case-insensitive identity of an address, for telling duplicates apart (domains are case-insensitive, local parts rarely matter). */
export const addressKey = (email: string) => email.toLowerCase();
