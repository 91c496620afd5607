/**
 * One error class per failure, each with a stable `E_*` code and its cause.
 * Activities turn an AppError into an ApplicationFailure whose `type` is the code
 * and whose `nonRetryable` is `!retryable`; workflows and the API branch on the code.
 */
export class AppError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Codes for a document that can never be ingested as sent: retrying cannot help. */
export type DocumentRejectionCode =
  | 'E_EMPTY_DOCUMENT'
  | 'E_UNSUPPORTED_TYPE'
  | 'E_ENCRYPTED_PDF'
  | 'E_NO_TEXT'
  | 'E_DECOMPRESSION_BOMB'
  | 'E_DOCUMENT_TOO_LARGE'
  | 'E_CORRUPT_DOCUMENT'
  /** OCR of a scanned page (or of all pages) took longer than its limit. */
  | 'E_OCR_TIMEOUT'
  /** A scanned document has more pages than OCR is allowed to read. */
  | 'E_OCR_PAGE_LIMIT';

/** The document itself is bad; the API shows `message` as the reason. */
export class DocumentRejectedError extends AppError {
  constructor(code: DocumentRejectionCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, retryable: false });
  }
}
