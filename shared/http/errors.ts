import type { ApiError, ErrorDetail } from '../errors';

export { ApiError, badRequest, conflict, forbidden, notFound, unauthorized, unprocessable, type ErrorDetail } from '../errors';

export function errorBody(error: ApiError): { error: { code: string; message: string; details?: ErrorDetail[] } } {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details && error.details.length > 0 ? { details: error.details } : {}),
    },
  };
}
