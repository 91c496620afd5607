import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The CJK font every chart, workbook image and PDF embeds: Noto Sans SC (GB2312
 * coverage, OpenType/CFF), shipped by the npm package @embedpdf/fonts-sc, so a
 * fresh `npm ci` renders Chinese without any system font.
 */
// The package exports only its index (dist/index.cjs); the fonts sit one folder above it.
const packageDir = path.dirname(path.dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-sc')));

export const CJK_FONT_FAMILY = 'Noto Sans Hans';
export const CJK_FONT_REGULAR = path.join(packageDir, 'fonts', 'NotoSansHans-Regular.otf');
export const CJK_FONT_BOLD = path.join(packageDir, 'fonts', 'NotoSansHans-Bold.otf');
