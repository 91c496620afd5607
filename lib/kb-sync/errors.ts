import { AppError } from '../errors.ts';

/** A source the caller described cannot be used: `field` names what is wrong (`path`, `url`, `ref`). */
export class SourceSpecError extends AppError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('E_KB_SOURCE_INVALID', message);
  }
}

export class SourceNotFoundError extends AppError {
  constructor(id: string) {
    super('E_KB_SOURCE_NOT_FOUND', `no source ${id} in this knowledge base`);
  }
}

/** A knowledge base holds at most this many sources. */
export class SourceLimitError extends AppError {
  constructor(limit: number) {
    super('E_KB_SOURCE_LIMIT', `a knowledge base has at most ${limit} sources`);
  }
}

export class NoSourcesError extends AppError {
  constructor(knowledgeBase: string) {
    super('E_KB_NO_SOURCES', `knowledge base "${knowledgeBase}" has no sources to sync; add one first`);
  }
}

/**
 * A source cannot be read as a whole (gone, outside the roots, too many files, a
 * remote that refuses): its sync stops before applying anything. Retrying may help
 * (a remote that is down), so the activity retries a few times first.
 */
export class SourceUnreadableError extends AppError {
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super('E_KB_SOURCE_UNREADABLE', message, options);
  }
}
