/** Building blocks of the OpenAPI document: JSON Schema from zod, problems, shared answers and parameters. */
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;
export const schemaOf = (schema: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io }) as JsonSchema;
  return rest;
};
export const json = (schema: z.ZodType | JsonSchema) => ({
  content: { 'application/json': { schema: schema instanceof z.ZodType ? schemaOf(schema) : schema } },
});
export const problemRef = { $ref: '#/components/schemas/Problem' };
export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemRef } } });

/** Answers any /v1 operation can give, whatever it does. */
export const everyV1 = {
  '401': problem('No valid API key (Authorization: Bearer <key>, or X-API-Key)'),
  '403': problem('The API key lacks the scope this operation needs'),
  '429': { ...problem('A rate-limit budget is spent; see Retry-After, RateLimit and RateLimit-Policy'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
  '503': problem('A service it needs (the workflow engine, the rate-limit store) is unavailable; retry later'),
};
/** GETs answer 304 to a matching If-None-Match (ETag). */
export const notModified = { '304': { description: 'Not modified: the ETag in If-None-Match is current' } };
export const responses = (own: Record<string, unknown>) => ({ ...own, ...everyV1 });

/** Query parameters straight from the zod schema that validates them. */
export const queryParameters = (schema: z.ZodObject) =>
  Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: !(field as z.ZodType).safeParse(undefined).success,
    schema: schemaOf(field as z.ZodType, 'input'),
    ...(name === 'cursor' ? { description: 'opaque and signed: the nextCursor of the previous page, as given' } : {}),
  }));
export const pathId = (pattern: string, description: string) => ({ name: 'id', in: 'path', required: true, description, schema: { type: 'string', pattern } });
export const idParameter = pathId('^[0-9a-f]{64}$', 'a document id: 64 lower-case hex characters');
export const kbIdParameter = pathId('^[a-z0-9][a-z0-9-]{0,62}$', 'a knowledge base id');
export const apiKeyIdParameter = pathId('^[0-9a-f]{16}$', 'an API key id: 16 lower-case hex characters');
export const jsonBody = (schema: JsonSchema) => ({ required: true, content: { 'application/json': { schema } } });
