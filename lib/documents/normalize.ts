/**
 * One canonical form for extracted text, so the same document always gives the
 * same chunks, hashes and search tokens.
 *
 * Why NFC and not NFKC: NFKC also folds the full-width punctuation Chinese text
 * is written with (，！？：；（）become ,!?:;()), which changes the text's
 * typography and defeats the chunker's Chinese sentence rules; and it rewrites
 * symbols such as ① and ㎡. We take NFC and then only the compatibility folds
 * that help search and cost nothing: full-width ASCII letters and digits
 * (ＡＢＣ１２３ → ABC123, common in Chinese documents) and the Latin ligatures
 * PDFs produce (ﬁ → fi). CJK punctuation is kept as written.
 */

/** Unicode space separators other than the plain space, including the ideographic space U+3000. */
const EXOTIC_SPACES = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;
/** Invisible characters that only split words: zero-width space, word joiner, BOM, soft hyphen. */
const INVISIBLE = /[\u200B\u2060\uFEFF\u00AD]/g;
/** C0 and C1 controls except tab and newline (CR, FF and VT were turned into newlines before this runs). */
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
/** Unpaired UTF-16 surrogates, which cannot be encoded as UTF-8 downstream. */
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const FULL_WIDTH_ALNUM = /[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g;
const LIGATURES: Record<string, string> = { '\uFB00': 'ff', '\uFB01': 'fi', '\uFB02': 'fl', '\uFB03': 'ffi', '\uFB04': 'ffl', '\uFB05': 'st', '\uFB06': 'st' };

/**
 * Normalizes text: NFC, full-width letters/digits and ligatures to ASCII, no
 * control or invisible characters except \n and \t, \n line ends (also for
 * CR, CRLF, form feed, U+2028/2029), runs of spaces collapsed inside lines
 * (leading indentation is kept: Markdown nesting and code depend on it), no
 * trailing spaces, at most one blank line between paragraphs, trimmed.
 * Deterministic and idempotent.
 */
export function normalizeText(input: string): string {
  return input
    .replace(LONE_SURROGATES, '')
    .normalize('NFC')
    .replace(/\r\n?|[\f\v\u0085\u2028\u2029]/g, '\n')
    .replace(CONTROLS, '')
    .replace(INVISIBLE, '')
    .replace(FULL_WIDTH_ALNUM, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\uFB00-\uFB06]/g, (c) => LIGATURES[c] ?? c)
    .replace(EXOTIC_SPACES, ' ')
    .replace(/(\S) {2,}/g, '$1 ')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
