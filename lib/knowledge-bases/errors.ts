import { AppError } from '../errors.ts';

export class KnowledgeBaseNotFoundError extends AppError {
  constructor(id: string) {
    super('E_KNOWLEDGE_BASE_NOT_FOUND', `no knowledge base "${id}"`);
  }
}

export class KnowledgeBaseExistsError extends AppError {
  constructor(id: string) {
    super('E_KNOWLEDGE_BASE_EXISTS', `a knowledge base "${id}" already exists`);
  }
}

/** The knowledge base is being deleted: nothing goes into it, and it cannot change. */
export class KnowledgeBaseDeletingError extends AppError {
  constructor(id: string) {
    super('E_KNOWLEDGE_BASE_DELETING', `knowledge base "${id}" is being deleted`);
  }
}

/** Documents uploaded without a knowledge base land in `default`, so it always exists. */
export class DefaultKnowledgeBaseError extends AppError {
  constructor() {
    super('E_DEFAULT_KNOWLEDGE_BASE', 'the default knowledge base cannot be deleted');
  }
}
