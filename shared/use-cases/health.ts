import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ApiError } from '../errors';
import { describeFailure } from '../http/failure';
import { logger } from '../adapters/observability';
import { store } from '../store/client';

/** The API is healthy when it can read its table. */
export async function checkHealth(): Promise<void> {
  const { client, tableName } = store();
  try {
    await client.send(new GetCommand({ TableName: tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
  } catch (error) {
    const failure = describeFailure(error);
    logger.error('health check could not read the table', { error: error as Error, cause: failure.cause, failure: failure.message });
    throw new ApiError(503, 'service_unavailable', 'The service cannot reach its table.');
  }
}
