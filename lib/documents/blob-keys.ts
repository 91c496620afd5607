/** Where a document's bytes live in blob storage: under their hash, so equal uploads share one blob. */
export const uploadedBlobKey = (sha256: string) => `documents/${sha256}`;

/** The normalized text between extraction and chunking; removed once the document is ready. */
export const extractedTextKey = (documentId: string) => `text/${documentId}.txt`;
