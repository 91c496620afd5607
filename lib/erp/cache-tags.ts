/** Cache tags of answers built from the ERP tables (reports): an import drops them everywhere. */
export const erpTag = 'erp';
export const erpCacheTags = [erpTag];
