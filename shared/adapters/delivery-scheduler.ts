import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

/** Which delivery to attempt again. */
export interface DeliveryRef {
  webhookId: string;
  eventId: string;
}

/** A retry message on the webhook queue: attempt the delivery at `dueAt` (re-sent until then). */
export interface RetryMessage extends DeliveryRef {
  kind: 'webhook-retry';
  dueAt: string;
}

/**
 * The DeliveryScheduler port: wakes the webhook worker when a retry is due. In AWS a message on the
 * webhook queue delayed up to SQS's 15 minutes (a longer wait is re-sent on arrival); under
 * `npm start` nothing is sent: the local sweep reads the due deliveries from the table every second.
 */
export interface DeliveryScheduler {
  later(retry: DeliveryRef, dueAt: Date, now: Date): Promise<void>;
}

/** SQS's longest message delay. */
export const MAX_DELAY_SECONDS = 900;

export function sqsScheduler(queueUrl: string, client: { send(command: SendMessageCommand): Promise<unknown> } = new SQSClient({ maxAttempts: 3 })): DeliveryScheduler {
  return {
    async later(retry, dueAt, now) {
      const message: RetryMessage = { kind: 'webhook-retry', ...retry, dueAt: dueAt.toISOString() };
      const delaySeconds = Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil((dueAt.getTime() - now.getTime()) / 1000)));
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message), DelaySeconds: delaySeconds }));
    },
  };
}

const sweepOnly: DeliveryScheduler = { later: async () => undefined };

let current: DeliveryScheduler | undefined;

/** WEBHOOK_QUEUE_URL set (AWS): SQS; unset (npm start, tests): the sweep finds due deliveries itself. */
export function deliveryScheduler(): DeliveryScheduler {
  current ??= process.env.WEBHOOK_QUEUE_URL ? sqsScheduler(process.env.WEBHOOK_QUEUE_URL) : sweepOnly;
  return current;
}
