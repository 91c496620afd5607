/**
 * Character-encoding detection for plain text and HTML bytes.
 *
 * Order, strongest evidence first: a byte-order mark; a charset the document
 * declares (HTML `<meta charset>`), if iconv-lite knows it; the zero-byte pattern
 * of UTF-16 without a BOM (any ASCII in the text leaves 00 in every other byte);
 * strict UTF-8 validity; UTF-16 text that is almost all CJK (no zero bytes at
 * all); and last chardet's statistical guess over a sample.
 */
import chardet from 'chardet';
import iconv from 'iconv-lite';

export type EncodingEvidence = 'bom' | 'declared' | 'utf16-pattern' | 'valid-utf8' | 'utf16-cjk' | 'statistical';

export interface EncodingGuess {
  /** An iconv-lite encoding name. */
  encoding: string;
  /** Bytes of byte-order mark to skip before decoding. */
  bomLength: number;
  evidence: EncodingEvidence;
}

/** chardet looks at a sample: its cost grows with input and 64 KB decides well. */
const SAMPLE_BYTES = 64 * 1024;

const BOMS: ReadonlyArray<{ bytes: number[]; encoding: string }> = [
  // UTF-32LE must be tested before UTF-16LE: its BOM starts with FF FE.
  { bytes: [0xff, 0xfe, 0x00, 0x00], encoding: 'utf-32le' },
  { bytes: [0x00, 0x00, 0xfe, 0xff], encoding: 'utf-32be' },
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

export function detectBom(bytes: Uint8Array): { encoding: string; length: number } | undefined {
  for (const bom of BOMS) {
    if (bom.bytes.every((b, i) => bytes[i] === b)) return { encoding: bom.encoding, length: bom.bytes.length };
  }
  return undefined;
}

/**
 * Maps a declared or detected charset label to the iconv-lite name we decode
 * with. Labels are widened to their supersets the way browsers do, because
 * documents labelled gb2312 routinely contain GBK characters and
 * "iso-8859-1" pages routinely contain windows-1252 quotes.
 */
export function canonicalEncoding(label: string): string | undefined {
  const name = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
  const widened: Record<string, string> = {
    gb2312: 'gb18030', gbk: 'gb18030', 'x-gbk': 'gb18030', cp936: 'gb18030', 'euc-cn': 'gb18030',
    big5: 'cp950', 'big5-hkscs': 'big5hkscs', 'x-big5': 'cp950',
    'iso-8859-1': 'windows-1252', 'iso8859-1': 'windows-1252', latin1: 'windows-1252',
    'us-ascii': 'windows-1252', ascii: 'windows-1252',
    'shift-jis': 'shift_jis', sjis: 'shift_jis', 'x-sjis': 'shift_jis', 'windows-31j': 'shift_jis',
    utf8: 'utf-8', 'unicode-1-1-utf-8': 'utf-8',
  };
  const resolved = widened[name] ?? name;
  return iconv.encodingExists(resolved) ? resolved : undefined;
}

/** Drops a multi-byte sequence cut off by the end of a sample, so it is not judged invalid. */
function withoutCutSequence(bytes: Uint8Array): Uint8Array {
  let i = bytes.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && (bytes[i]! & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return bytes;
  const lead = bytes[i]!;
  const needed = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return needed > continuation ? bytes.subarray(0, i) : bytes;
}

export function isValidUtf8(bytes: Uint8Array, complete: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(complete ? bytes : withoutCutSequence(bytes));
    return true;
  } catch {
    return false;
  }
}

/** UTF-16 without a BOM: zeros fill one byte of every ASCII code unit and almost never the other. */
function utf16ByZeroPattern(sample: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const pairs = Math.floor(sample.length / 2);
  if (pairs < 2) return undefined;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i + 1 < sample.length; i += 2) {
    if (sample[i] === 0) zeroEven++;
    if (sample[i + 1] === 0) zeroOdd++;
  }
  // Zeros on the other side are normal too (销 is U+9500, 一 is U+4E00), just rarer;
  // the plausibility check below is what keeps binary out.
  const candidate =
    zeroOdd >= pairs * 0.05 && zeroEven * 3 < zeroOdd ? 'utf-16le'
      : zeroEven >= pairs * 0.05 && zeroOdd * 3 < zeroEven ? 'utf-16be'
        : undefined;
  return candidate && plausibleUtf16(sample, candidate, 0.9, 0) ? candidate : undefined;
}

/**
 * Share of code units that are ordinary text (ASCII printable and whitespace,
 * CJK ideographs, kana, CJK and full-width punctuation, Latin-1 letters) when
 * the bytes are read as UTF-16, and of those the share of Han ideographs.
 * Legacy CJK encodings read as UTF-16 land in Hangul, Yi or private-use ranges,
 * so a high Han share is strong evidence.
 */
function plausibleUtf16(sample: Uint8Array, encoding: 'utf-16le' | 'utf-16be', minText: number, minHan: number): boolean {
  const units = Math.floor(sample.length / 2);
  let text = 0;
  let han = 0;
  for (let i = 0; i < units; i++) {
    const a = sample[2 * i]!;
    const b = sample[2 * i + 1]!;
    const u = encoding === 'utf-16le' ? a | (b << 8) : (a << 8) | b;
    if ((u >= 0x4e00 && u <= 0x9fff) || (u >= 0x3400 && u <= 0x4dbf)) {
      han++;
      text++;
    } else if (
      (u >= 0x20 && u <= 0x7e) || u === 0x09 || u === 0x0a || u === 0x0d ||
      (u >= 0xa0 && u <= 0x24f) || (u >= 0x2000 && u <= 0x206f) ||
      (u >= 0x3000 && u <= 0x30ff) || (u >= 0xff00 && u <= 0xffef)
    ) {
      text++;
    }
  }
  return units > 0 && text >= units * minText && han >= units * minHan;
}

const CJK_MULTIBYTE = new Set(['GB18030', 'Big5', 'Shift_JIS', 'EUC-JP', 'EUC-KR']);
const WESTERN = new Set(['windows-1252', 'ISO-8859-1']);

/**
 * True when the high bytes pair up as GB2312 characters (both bytes A1-FE, the
 * simplified-Chinese core of GBK). chardet needs a few dozen characters to be
 * sure; a short GBK title is still recognisable this way, and Western text in a
 * single-byte code page almost never pairs two high bytes.
 */
function looksLikeGb2312(sample: Uint8Array, complete: boolean): boolean {
  let core = 0;
  let other = 0;
  let i = 0;
  while (i < sample.length) {
    const lead = sample[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const trail = sample[i + 1];
    if (trail === undefined) {
      if (complete) return false;
      break;
    }
    if (lead >= 0xa1 && lead <= 0xf7 && trail >= 0xa1 && trail <= 0xfe) core++;
    else if (lead >= 0x81 && lead <= 0xfe && trail >= 0x40 && trail <= 0xfe && trail !== 0x7f) other++;
    else if (lead >= 0x81 && lead <= 0xfe && trail >= 0x30 && trail <= 0x39) {
      other++;
      i += 2; // GB18030 four-byte sequence
    } else return false;
    i += 2;
  }
  return core >= 2 && core >= (core + other) * 0.8;
}

/**
 * chardet's guess, with two corrections learnt from samples: a weak guess is
 * overruled by the GB2312 pairing test, and among near-equal single-byte code
 * pages windows-1252 wins (French read as windows-1250 turns è into č).
 * UTF-16/32 and ISO-2022 guesses are ignored: those need a BOM or zero pattern.
 */
function statisticalGuess(sample: Uint8Array, complete: boolean): string {
  const matches = chardet
    .analyse(sample)
    .filter((m) => !/^(UTF-|ISO-2022|ISO_2022)/.test(m.name) && canonicalEncoding(m.name));
  const top = matches[0];
  if (top && CJK_MULTIBYTE.has(top.name) && top.confidence >= 50) return canonicalEncoding(top.name)!;
  for (const encoding of ['utf-16le', 'utf-16be'] as const) {
    if (plausibleUtf16(sample, encoding, 0.97, 0.6)) return encoding;
  }
  if (looksLikeGb2312(sample, complete)) return 'gb18030';
  if (!top) return 'windows-1252';
  const western = matches.find((m) => WESTERN.has(m.name));
  if (!CJK_MULTIBYTE.has(top.name) && western && western.confidence >= top.confidence - 15) return 'windows-1252';
  return canonicalEncoding(top.name)!;
}

/**
 * Decides how to decode `bytes`. `complete` says whether `bytes` is the whole
 * document (false for a sniffing head, whose last character may be cut).
 */
export function detectEncoding(bytes: Uint8Array, options: { declared?: string; complete?: boolean } = {}): EncodingGuess {
  const complete = options.complete ?? true;
  const bom = detectBom(bytes);
  if (bom) return { encoding: bom.encoding, bomLength: bom.length, evidence: 'bom' };

  const sample = bytes.subarray(0, SAMPLE_BYTES);
  const zeroPattern = utf16ByZeroPattern(sample);
  if (zeroPattern) return { encoding: zeroPattern, bomLength: 0, evidence: 'utf16-pattern' };

  const declared = options.declared ? canonicalEncoding(options.declared) : undefined;
  // A page that claims UTF-8 but is not valid UTF-8 is mislabelled: fall through to
  // detection. A UTF-16 label on bytes without UTF-16's zero pattern is wrong too
  // (the HTML standard reads such pages as UTF-8).
  if (declared && declared !== 'utf-8' && !declared.startsWith('utf-16') && !declared.startsWith('utf-32')) {
    return { encoding: declared, bomLength: 0, evidence: 'declared' };
  }

  if (isValidUtf8(bytes, complete)) return { encoding: 'utf-8', bomLength: 0, evidence: 'valid-utf8' };

  const encoding = statisticalGuess(sample, complete && sample.length === bytes.length);
  return { encoding, bomLength: 0, evidence: encoding.startsWith('utf-16') ? 'utf16-cjk' : 'statistical' };
}

/** Decodes with a guess from detectEncoding; undecodable bytes become U+FFFD, never an exception. */
export function decodeWith(bytes: Uint8Array, guess: EncodingGuess): string {
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).subarray(guess.bomLength);
  return iconv.decode(body, guess.encoding, { stripBOM: true });
}
