/**
 * `COPY … FROM STDIN` through a plain `pg` client, for bulk loads: the rows stream
 * to the server as text in the COPY format, with backpressure from the socket.
 * pg has no COPY API of its own (pg-copy-streams adds one); this is the small part
 * of it the generator needs: a Query that answers the server's CopyInResponse.
 */
import pg from 'pg';

interface CopyConnection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
}

/** One value in COPY's text format: NULL as \N, and the format's special characters escaped. */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  return String(value).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

class CopyFromStdin extends pg.Query {
  constructor(
    text: string,
    private readonly chunks: AsyncIterable<string> | Iterable<string>,
  ) {
    super(text);
  }

  /** Called by pg's client when the server is ready for the data (not in @types/pg). */
  handleCopyInResponse(connection: CopyConnection): void {
    void (async () => {
      try {
        for await (const chunk of this.chunks) {
          connection.sendCopyFromChunk(Buffer.from(chunk, 'utf8'));
          if (connection.stream.writableNeedDrain) await new Promise((resolve) => connection.stream.once('drain', resolve));
        }
        connection.endCopyFrom();
      } catch (error) {
        // The server then rolls the COPY back and answers with an error, which fails the query.
        connection.sendCopyFail(error instanceof Error ? error.message : String(error));
      }
    })();
  }
}

/**
 * Runs `copy <table> (<columns>) from stdin` with `lines` (each a COPY text line
 * ending in \n, several per chunk for speed). `sql` is built by the caller from
 * catalog names only.
 */
export function copyFromStdin(client: pg.Client, sql: string, chunks: AsyncIterable<string> | Iterable<string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const copy = new CopyFromStdin(sql, chunks);
    copy.once('end', () => resolve());
    copy.once('error', reject);
    client.query(copy);
  });
}
