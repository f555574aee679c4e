import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventBus } from '../../shared/adapters/event-bus';
import { logger } from '../../shared/adapters/observability';
import type { StreamRecord } from '../../shared/store/events';
import { publishStreamRecords } from '../../shared/use-cases/publish-events';

/**
 * The table's stream → the cell's EventBridge bus. The event source mapping passes only inserted
 * event items (a filter on `type`), with ReportBatchItemFailures: the first record not published
 * is reported, so Lambda checkpoints every record before it and retries from it (in order).
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const outcome = await publishStreamRecords(event.Records as StreamRecord[], eventBus());
  logger.info('events published', { records: event.Records.length, published: outcome.published, failed: outcome.firstFailed !== undefined });
  return { batchItemFailures: outcome.firstFailed ? [{ itemIdentifier: outcome.firstFailed }] : [] };
};
