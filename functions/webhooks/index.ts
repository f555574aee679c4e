import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { clock } from '../../shared/adapters/clock';
import { deliveryScheduler, type RetryMessage } from '../../shared/adapters/delivery-scheduler';
import type { PublishedEvent } from '../../shared/adapters/event-bus';
import { logger, metrics } from '../../shared/adapters/observability';
import { attemptDelivery, fanOutEvent } from '../../shared/use-cases/webhooks';

type QueueMessage = RetryMessage | { 'detail-type': string; detail: PublishedEvent };

/**
 * The webhook queue's consumer. Two kinds of message arrive: an event from the cell's bus (the rule's
 * target), fanned out to the webhooks that take it with a first attempt each; and a retry, attempted
 * when due (SQS delays a message at most 15 minutes: an earlier arrival is sent on again).
 * A message that fails is reported (ReportBatchItemFailures) and comes back after its visibility timeout.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      try {
        const message = JSON.parse(record.body) as QueueMessage;
        if ('kind' in message && message.kind === 'webhook-retry') {
          const now = clock.now();
          if (Date.parse(message.dueAt) > now.getTime() + 1000) await deliveryScheduler().later(message, new Date(message.dueAt), now);
          else await attemptDelivery(message);
        } else if ('detail' in message) {
          await fanOutEvent(message.detail);
        } else {
          logger.error('unknown message on the webhook queue', { messageId: record.messageId });
        }
      } catch (error) {
        logger.error('webhook message not handled; it is retried', { messageId: record.messageId, error: error as Error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  metrics.publishStoredMetrics();
  return { batchItemFailures: failures };
};
