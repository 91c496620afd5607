/**
 * `Content-Disposition: attachment` for a file named after a report's title: an
 * ASCII `filename` for old clients (anything else, quotes and backslashes become
 * `_`) and the real name as RFC 5987 `filename*=UTF-8''…`, which browsers prefer.
 */
export function contentDisposition(title: string, extension: string): string {
  const ext = extension.replace(/^\./, '');
  // Path separators and control characters have no place in a file name on any system.
  const name = title.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim() || 'report';
  const ascii = name.replace(/[^\x20-\x7e]|["%]/g, '_');
  const fallback = /[A-Za-z0-9]/.test(ascii) ? ascii : 'report';
  // encodeURIComponent leaves ' ( ) * ! bare; RFC 5987's attr-char does not allow them.
  const encoded = encodeURIComponent(`${name}.${ext}`).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}.${ext}"; filename*=UTF-8''${encoded}`;
}
