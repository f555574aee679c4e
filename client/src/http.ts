/** A refusal of the API: its status and `{"error": {"code", "message", "details"?}}`. */
export class LicensingApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Array<{ path: string; message: string }>,
  ) {
    super(message);
    this.name = 'LicensingApiError';
  }
}

export interface JsonResponse<T> {
  status: number;
  body: T;
}

/** Parses an answer; a non-2xx answer becomes a LicensingApiError (an answer without the envelope gets `http_<status>`). */
export async function readJson<T>(response: Response): Promise<JsonResponse<T>> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (response.ok) return { status: response.status, body: body as T };
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string') {
    throw new LicensingApiError(response.status, error.code, String(error.message ?? ''), error.details as LicensingApiError['details']);
  }
  throw new LicensingApiError(response.status, `http_${response.status}`, `The API answered ${response.status}.`);
}
