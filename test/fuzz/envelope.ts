/**
 * What is wrong with an error response, or undefined when it is exactly the contract's envelope
 * (API.md §1): `{"error":{"code":"<snake_case>","message":"<sentence>","details"?:[{path,message}]}}`,
 * served as JSON, with nothing else in it.
 */
export function envelopeProblem(text: string, contentType: string | undefined): string | undefined {
  if (!contentType || !/^application\/json\b/i.test(contentType)) return `content-type is ${contentType ?? 'missing'}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  if (!isPlainObject(body)) return 'body is not an object';
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'error') return `top-level keys are ${JSON.stringify(keys)}`;
  const error = body.error;
  if (!isPlainObject(error)) return 'error is not an object';
  const extra = Object.keys(error).filter((key) => !['code', 'message', 'details'].includes(key));
  if (extra.length > 0) return `error has extra keys ${JSON.stringify(extra)}`;
  if (typeof error.code !== 'string' || !/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(error.code)) return `code ${JSON.stringify(error.code)} is not snake_case`;
  if (typeof error.message !== 'string' || error.message.trim().length === 0) return 'message is not a non-empty string';
  if ('details' in error) {
    if (!Array.isArray(error.details)) return 'details is not an array';
    for (const detail of error.details) {
      if (!isPlainObject(detail) || typeof detail.path !== 'string' || typeof detail.message !== 'string') return `detail ${JSON.stringify(detail)} is not {path, message}`;
    }
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
