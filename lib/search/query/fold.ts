/**
 * Lower case with full-width ASCII (ＡＢＣ１２３) made narrow, one UTF-16 unit for
 * one, so an offset in the folded text is the same offset in the text: highlights
 * and did-you-mean rewrite the original at positions found in the folded copy.
 */
export function foldText(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const narrow = code >= 0xff01 && code <= 0xff5e ? String.fromCodePoint(code - 0xfee0) : code === 0x3000 ? ' ' : ch;
    const lower = narrow.toLowerCase();
    out += lower.length === ch.length ? lower : ch;
  }
  return out;
}
