import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { clock } from '../adapters/clock';
import { deliveryScheduler, type DeliveryRef } from '../adapters/delivery-scheduler';
import type { PublishedEvent } from '../adapters/event-bus';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '../adapters/observability';
import { secrets } from '../adapters/secrets';
import { postWebhook, resolvesToPublicAddresses } from '../adapters/webhook-sender';
import { sealText, unsealText } from '../crypto';
import { checkWebhookUrl, matchesEventPatterns, retryDelayMs, DELIVERY_TIMEOUT_MS, WEBHOOK_METRICS, type WebhookUrlPolicy } from '../domain/webhooks';
import { notFound, unprocessable } from '../http/errors';
import { firstTransferAfter } from '../store/events';
import { getLicense } from '../store/licenses';
import type { Page } from '../store/pagination';
import {
  allWebhooks,
  claimDelivery,
  createDelivery,
  deleteWebhook,
  dueDeliveries,
  getDelivery,
  getWebhook,
  listDeliveries,
  listWebhooks,
  putWebhook,
  recordAttempt,
  type DeliveryRecord,
  type WebhookRecord,
} from '../store/webhooks';

/** WEBHOOK_URL_POLICY: `public` (the default, and what the stack sets) or `local` (npm start). */
export function webhookUrlPolicy(): WebhookUrlPolicy {
  return process.env.WEBHOOK_URL_POLICY === 'local' ? 'local' : 'public';
}

const secretKey = async () => createHmac('sha256', await secrets().installationKey()).update('webhook-secret').digest();
const secretAad = (webhook: Pick<WebhookRecord, 'partnerId' | 'webhookId'>) => `webhook:${webhook.partnerId}:${webhook.webhookId}`;

export interface WebhookView {
  webhookId: string;
  url: string;
  events: string[];
  createdAt: string;
}

export const toWebhookView = (webhook: WebhookRecord): WebhookView => ({
  webhookId: webhook.webhookId,
  url: webhook.url,
  events: webhook.events,
  createdAt: webhook.createdAt,
});

export const toDeliveryView = (delivery: DeliveryRecord) => ({
  eventId: delivery.eventId,
  type: delivery.eventType,
  status: delivery.status,
  attempts: delivery.attempts,
  lastStatusCode: delivery.lastStatusCode,
});

const invalidUrl = (reason: string) => unprocessable('invalid_webhook_url', `The webhook URL ${reason}.`);

/** Refuses a URL the policy does not allow: scheme, credentials, and every address its host resolves to. */
async function assertDeliverable(url: string): Promise<void> {
  const checked = checkWebhookUrl(url, webhookUrlPolicy());
  if (!checked.ok) throw invalidUrl(checked.reason);
  if (!checked.loopback && isIP(checked.host) === 0 && !(await resolvesToPublicAddresses(checked.host))) {
    throw invalidUrl('must resolve to public addresses only');
  }
}

/** §12: registers a webhook; its `whsec_` secret is returned here only and kept sealed. */
export async function registerWebhook(partnerId: string, input: { url: string; events: string[] }): Promise<WebhookView & { secret: string }> {
  await assertDeliverable(input.url);
  const webhookId = randomUUID();
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const record: WebhookRecord = {
    webhookId,
    partnerId,
    url: input.url,
    events: [...new Set(input.events)],
    sealedSecret: sealText(await secretKey(), secret, secretAad({ partnerId, webhookId })),
    createdAt: clock.now().toISOString(),
  };
  await putWebhook(record);
  return { ...toWebhookView(record), secret };
}

export const webhooksOf = (partnerId: string, limit: number, cursor?: string): Promise<Page<WebhookRecord>> => listWebhooks(partnerId, limit, cursor);

const webhookNotFound = () => notFound('webhook_not_found', 'No such webhook.');
/** Webhook ids are UUIDs; anything else names no webhook (and is never a key to look up). */
const isWebhookId = (webhookId: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(webhookId);

export async function removeWebhook(partnerId: string, webhookId: string): Promise<void> {
  if (!isWebhookId(webhookId) || !(await deleteWebhook(partnerId, webhookId))) throw webhookNotFound();
}

export async function deliveriesOf(partnerId: string, webhookId: string, limit: number, cursor?: string): Promise<Page<DeliveryRecord>> {
  if (!isWebhookId(webhookId) || !(await getWebhook(partnerId, webhookId))) throw webhookNotFound();
  return listDeliveries(webhookId, limit, cursor);
}

/**
 * The partner whose customer held the license when the event happened: a transfer is the new
 * partner's; any other event belongs to the partner before the first transfer after it, or, with
 * none after it, to the license's partner now. No event reaches a partner that did not hold it.
 *
 * The license is read before the transfers: a transfer commits with its event, so one that lands
 * between the two reads is found by the second, and the partner read first is never one that took
 * the license after the event.
 */
async function partnerAtEvent(event: PublishedEvent): Promise<string | null> {
  if (event.type === 'license.transferred') return (event.details.toPartnerId as string | null | undefined) ?? null;
  const license = await getLicense(event.slc);
  const transfer = await firstTransferAfter(event.slc, event.at);
  if (transfer) return (transfer.details.fromPartnerId as string | null | undefined) ?? null;
  return license?.partnerId ?? null;
}

/** The body every attempt of a delivery sends (Standard Webhooks: type, timestamp, data). */
const payloadOf = (event: PublishedEvent): string =>
  JSON.stringify({
    type: event.type,
    timestamp: event.at,
    data: { slc: event.slc, eventId: event.eventId, at: event.at, actor: event.actor, details: event.details },
  });

/**
 * One published event to the webhooks of the partner it belongs to that take its type: one
 * delivery per webhook and event (a repeat of the event finds it recorded and sends nothing), each
 * attempted at once.
 */
export async function fanOutEvent(event: PublishedEvent): Promise<number> {
  const partnerId = await partnerAtEvent(event);
  if (!partnerId) return 0;
  const webhooks = (await allWebhooks(partnerId)).filter((webhook) => matchesEventPatterns(event.type, webhook.events));
  const now = clock.now().toISOString();
  let created = 0;
  await Promise.all(
    webhooks.map(async (webhook) => {
      const fresh = await createDelivery({
        webhookId: webhook.webhookId,
        partnerId,
        eventId: event.eventId,
        eventType: event.type,
        payload: payloadOf(event),
        nextAttemptAt: now,
        createdAt: now,
      });
      if (!fresh) return;
      created++;
      await attemptDelivery({ webhookId: webhook.webhookId, eventId: event.eventId });
    }),
  );
  return created;
}

/** How long an attempt holds its delivery: the endpoint's timeout and some slack. */
const CLAIM_MS = DELIVERY_TIMEOUT_MS + 5_000;

/**
 * Makes the next attempt of a pending, due delivery, once even with several workers (a conditional
 * claim): a 2xx answer is delivered; anything else, no answer within 10 s or a refused address
 * waits for the next retry, until the schedule runs out (failed).
 */
export async function attemptDelivery(ref: DeliveryRef): Promise<void> {
  const delivery = await getDelivery(ref.webhookId, ref.eventId);
  if (!delivery || delivery.status !== 'pending') return;
  const now = clock.now();
  if (delivery.nextAttemptAt && Date.parse(delivery.nextAttemptAt) > now.getTime()) {
    await deliveryScheduler().later(ref, new Date(delivery.nextAttemptAt), now);
    return;
  }
  const webhook = await getWebhook(delivery.partnerId, delivery.webhookId);
  if (!(await claimDelivery(delivery, now, CLAIM_MS))) return;
  if (!webhook) {
    // The webhook was deleted: nothing is sent any more.
    await recordAttempt(delivery, { status: 'failed', statusCode: null, nextAttemptAt: null });
    return;
  }
  const secret = unsealText(await secretKey(), webhook.sealedSecret, secretAad(webhook));
  const sentAt = clock.now();
  const headers = {
    'webhook-id': delivery.eventId,
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(delivery.eventId, sentAt, delivery.payload),
  };
  const outcome = await postWebhook(webhook.url, headers, delivery.payload, webhookUrlPolicy());
  const statusCode = outcome.kind === 'answered' ? outcome.statusCode : null;
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
    await recordAttempt(delivery, { status: 'delivered', statusCode, nextAttemptAt: null });
    metrics.addMetric(WEBHOOK_METRICS.delivered, MetricUnit.Count, 1);
    return;
  }
  metrics.addMetric(WEBHOOK_METRICS.attemptFailed, MetricUnit.Count, 1);
  const wait = retryDelayMs(delivery.attempts + 1);
  const after = clock.now();
  const nextAttemptAt = wait === undefined ? null : new Date(after.getTime() + wait);
  await recordAttempt(delivery, { status: nextAttemptAt ? 'pending' : 'failed', statusCode, nextAttemptAt: nextAttemptAt?.toISOString() ?? null });
  logger.info('webhook delivery not accepted', {
    webhookId: delivery.webhookId,
    eventId: delivery.eventId,
    attempt: delivery.attempts + 1,
    outcome: outcome.kind,
    statusCode,
    retry: nextAttemptAt !== null,
  });
  if (nextAttemptAt) await deliveryScheduler().later(ref, nextAttemptAt, after);
  else metrics.addMetric(WEBHOOK_METRICS.failed, MetricUnit.Count, 1);
}

/** Attempts every delivery due now (the sweep under npm start; also a safety net in AWS). */
export async function attemptDueDeliveries(limit = 25): Promise<number> {
  const due = await dueDeliveries(clock.now(), limit);
  await Promise.all(due.map((delivery) => attemptDelivery(delivery)));
  return due.length;
}
