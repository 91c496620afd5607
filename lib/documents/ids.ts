import { createHash } from 'node:crypto';

/** Where a document lives: its tenant, its knowledge base, and the SHA-256 of its bytes. */
export interface DocumentKey {
  tenant: string;
  knowledgeBase: string;
  contentSha256: string;
}

/**
 * A document's id: the SHA-256 (hex) of `tenant \n knowledgeBase \n contentSha256`.
 * The same bytes uploaded twice into one knowledge base are one document (and one
 * workflow run); into two knowledge bases, or two tenants, they are two. Newlines
 * cannot occur in a tenant or knowledge-base slug, so no two keys share an id.
 */
export function documentIdFor({ tenant, knowledgeBase, contentSha256 }: DocumentKey): string {
  return createHash('sha256').update(`${tenant}\n${knowledgeBase}\n${contentSha256}`, 'utf8').digest('hex');
}
