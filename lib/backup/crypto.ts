/**
 * AES-256-GCM for backup parts, as streams. Stored layout: `AISTBK01` (8 bytes),
 * a random 12-byte IV, the ciphertext, the 16-byte GCM tag. The tag comes last so
 * a part is written in one pass; the decrypting stream holds back the last 16
 * bytes and checks them at the end, so a tampered part fails before it is trusted.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, type DecipherGCM } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../errors.ts';

const MAGIC = Buffer.from('AISTBK01');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Names the key in the manifest without revealing it: the first 16 hex digits of its sha256. */
export const keyIdOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 16);

export function encryptStream(key: Buffer): Transform {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const out = cipher.update(chunk);
      if (!started) {
        started = true;
        done(null, Buffer.concat([MAGIC, iv, out]));
      } else done(null, out);
    },
    flush(done) {
      const head = started ? [] : [MAGIC, iv];
      done(null, Buffer.concat([...head, cipher.final(), cipher.getAuthTag()]));
    },
  });
}

export class BackupDecryptionError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('E_BACKUP_DECRYPT', message, { cause });
  }
}

export function decryptStream(key: Buffer): Transform {
  let head = Buffer.alloc(0);
  let decipher: DecipherGCM | undefined;
  // The last TAG_BYTES seen so far: they may be the tag, so they are decrypted only when more arrives.
  let tail = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      if (!decipher) {
        head = Buffer.concat([head, chunk]);
        if (head.length < MAGIC.length + IV_BYTES) return done();
        if (!head.subarray(0, MAGIC.length).equals(MAGIC)) return done(new BackupDecryptionError('the part is not an encrypted backup part'));
        decipher = createDecipheriv('aes-256-gcm', key, head.subarray(MAGIC.length, MAGIC.length + IV_BYTES));
        chunk = head.subarray(MAGIC.length + IV_BYTES);
      }
      const all = Buffer.concat([tail, chunk]);
      const cut = Math.max(0, all.length - TAG_BYTES);
      tail = all.subarray(cut);
      done(null, cut > 0 ? decipher.update(all.subarray(0, cut)) : undefined);
    },
    flush(done) {
      if (!decipher || tail.length < TAG_BYTES) return done(new BackupDecryptionError('the encrypted part is truncated'));
      try {
        decipher.setAuthTag(tail);
        done(null, decipher.final());
      } catch (cause) {
        done(new BackupDecryptionError('the encrypted part failed its authentication check (wrong key or altered bytes)', cause));
      }
    },
  });
}
