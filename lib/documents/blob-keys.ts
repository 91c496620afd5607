/** Where a document's bytes live in blob storage: under its id (one knowledge base, one tenant). */
export const uploadedBlobKey = (documentId: string) => `documents/${documentId}`;

/** Text recognised by OCR, between recognition and chunking; removed once the document is done. */
export const extractedTextKey = (documentId: string) => `text/${documentId}.txt`;

/** Uploads being received; a file here older than an upload can take is an orphan. */
export const stagingPrefix = 'staging/';
