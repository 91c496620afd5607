import { AppError } from '../errors.ts';

export class DocumentNotFoundError extends AppError {
  constructor(id: string) {
    super('E_DOCUMENT_NOT_FOUND', `no document ${id}`);
  }
}

export class IngestionBusyError extends AppError {
  constructor(id: string) {
    super('E_INGESTION_RUNNING', `document ${id} is being ingested; cancel or wait before reingesting`);
  }
}

export class DocumentDeletingError extends AppError {
  constructor(id: string) {
    super('E_DOCUMENT_DELETING', `document ${id} is being deleted; upload it again once it is gone`);
  }
}
