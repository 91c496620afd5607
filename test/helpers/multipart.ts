/**
 * Multipart bodies written byte for byte, the way real clients send them, so
 * tests see exactly what busboy sees (fetch's FormData would choose its own
 * encoding of the file name).
 */
export interface RawPart {
  /** The whole Content-Disposition value after `form-data; `, as the client writes it. */
  disposition: string;
  contentType?: string;
  body: string | Buffer;
}

export function multipartBody(boundary: string, parts: RawPart[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; ${part.disposition}\r\n`;
    if (part.contentType) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'utf8'), Buffer.from(part.body), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export async function postMultipart(apiUrl: string, boundary: string, parts: RawPart[]) {
  const response = await fetch(`${apiUrl}/v1/documents`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: new Uint8Array(multipartBody(boundary, parts)),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

export async function postJson(apiUrl: string, path: string, body: unknown, method = 'POST') {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, any>, headers: response.headers };
}
