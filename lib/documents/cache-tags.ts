/**
 * Cache tags of what readers see of a tenant's documents. Whatever changes a
 * document (its ingestion finishing, its removal, an upload) invalidates the tag,
 * and every cached answer built from those documents (views, lists, search
 * results) is dropped on every API process.
 */
export const documentsTag = (tenant: string) => `documents:${tenant}`;

/** A tenant's knowledge bases (their lists and views carry document counts, so documents changes touch them too). */
export const knowledgeBasesTag = (tenant: string) => `knowledge-bases:${tenant}`;

/** Everything a change to a tenant's documents makes stale. */
export const tagsOfDocumentChange = (tenant: string) => [documentsTag(tenant), knowledgeBasesTag(tenant)];
