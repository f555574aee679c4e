import * as z from 'zod/mini';
import { validationFailed } from '../errors';

export { validationFailed };

/** Parses input with a zod schema; a mismatch is 400 validation_failed with one detail per issue. */
export function parseWith<S extends z.ZodMiniType>(schema: S, input: unknown, where?: string): z.output<S> {
  const result = z.safeParse(schema, input);
  if (result.success) return result.data;
  const prefix = where ? [where] : [];
  const details = result.error.issues.slice(0, 50).flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...prefix, ...issue.path.map(String), key].join('.'), message: 'unknown field' }))
      : [{ path: [...prefix, ...issue.path.map(String)].join('.'), message: issue.message }],
  );
  throw validationFailed(details);
}
