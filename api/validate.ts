import type { z } from 'zod';
import { HttpProblem } from './problem.ts';

/**
 * Parses input with a zod schema; failures become a 400 problem naming each field.
 * `field` names a lone value (a path parameter) that has no path of its own.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, field = '(body)'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw HttpProblem.invalid(
    result.error.issues.map((issue) => ({ field: issue.path.join('.') || field, detail: issue.message })),
  );
}
