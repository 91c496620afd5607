/**
 * Rebuilds lines and paragraphs from the positioned text runs pdfjs returns
 * for a page. A PDF has no words or lines, only glyph runs at coordinates: a
 * line ends where the baseline moves (or pdfjs saw an end of line), a
 * paragraph where the baseline jumps by more than normal line spacing, and a
 * space goes where two runs on one line have a visible gap between them.
 */

/** The fields of a pdfjs TextItem this module reads. */
export interface PositionedRun {
  str: string;
  /** [a, b, c, d, x, y]: the text matrix; x and y place the run's baseline start. */
  transform: number[];
  width: number;
  height: number;
  hasEOL: boolean;
}

const CJK = /[\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFFEF]/;

/** Line height to compare gaps with: the run's height, else its font size from the matrix. */
function runHeight(run: PositionedRun): number {
  const fromMatrix = Math.hypot(run.transform[2] ?? 0, run.transform[3] ?? 0);
  const h = Math.abs(run.height) || fromMatrix;
  return h > 0 && Number.isFinite(h) ? h : 10;
}

/** Whether a space belongs between the line so far and the next run on the same line. */
function needsSpace(line: string, next: string, gap: number, height: number): boolean {
  if (line === '' || /\s$/.test(line) || /^\s/.test(next)) return false;
  const last = line.at(-1) ?? '';
  // Chinese and Japanese set no spaces between characters; justified CJK text still has small gaps.
  if (CJK.test(last) && CJK.test(next.charAt(0))) return gap > height;
  return gap > height * 0.15;
}

export function pageTextFromRuns(runs: readonly PositionedRun[]): string {
  let text = '';
  let line = '';
  let previous: { y: number; endX: number; height: number } | undefined;
  let endOfLine = false;
  for (const run of runs) {
    const x = run.transform[4] ?? 0;
    const y = run.transform[5] ?? 0;
    const height = runHeight(run);
    if (previous) {
      const dy = Math.abs(y - previous.y);
      const lineHeight = Math.max(previous.height, height);
      if (endOfLine || dy > lineHeight * 0.5) {
        // Normal spacing is 1.2-1.5 line heights; clearly more is a paragraph gap.
        const paragraph = dy > lineHeight * 1.8;
        if (line.trim() !== '') {
          text += line.trimEnd() + (paragraph ? '\n\n' : '\n');
        } else if (paragraph && text !== '' && !text.endsWith('\n\n')) {
          // pdfjs reports some line ends as empty runs: they must not add blank lines.
          text += '\n';
        }
        line = '';
      } else if (needsSpace(line, run.str, x - previous.endX, height)) {
        line += ' ';
      }
    }
    line += run.str;
    endOfLine = run.hasEOL;
    if (run.str !== '' || previous === undefined) previous = { y, endX: x + run.width, height };
  }
  return (text + line).trim();
}
