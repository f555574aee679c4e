/**
 * Refusals of the service, named by status and snake_case code (API.md §1). Store, use cases and
 * handlers all speak them; only the HTTP edge (shared/http) turns them into responses.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** A refusal the API answers with its own status and snake_case code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (code: string, message: string, details?: ErrorDetail[]) =>
  new ApiError(400, code, message, details);
export const unauthorized = (code: string, message: string) => new ApiError(401, code, message);
export const forbidden = (code: string, message: string) => new ApiError(403, code, message);
export const notFound = (code: string, message: string) => new ApiError(404, code, message);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const unprocessable = (code: string, message: string) => new ApiError(422, code, message);
/** Contention that outlasted the service's retries: the client may try again shortly. */
export const serviceUnavailable = (message: string) => new ApiError(503, 'service_unavailable', message);

export const validationFailed = (details: ErrorDetail[]) =>
  badRequest('validation_failed', 'The request does not match the expected shape.', details);
