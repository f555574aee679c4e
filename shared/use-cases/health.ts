import { ApiError } from '../errors';
import { describeFailure } from '../http/failure';
import { logger } from '../adapters/observability';
import { probeTable } from '../store/table-probe';

/** The API is healthy when it can read its table. */
export async function checkHealth(): Promise<void> {
  try {
    await probeTable();
  } catch (error) {
    const failure = describeFailure(error);
    logger.error('health check could not read the table', { error: error as Error, cause: failure.cause, failure: failure.message });
    throw new ApiError(503, 'service_unavailable', 'The service cannot reach its table.');
  }
}
