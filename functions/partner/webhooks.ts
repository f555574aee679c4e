import { forbidden } from '../../shared/http/errors';
import type { ApiRequest, RouteImplementation } from '../../shared/http/types';
import { parseWith, withBody } from '../../shared/http/validation';
import { listQuery } from '../../shared/schemas/common';
import { createWebhookRequest } from '../../shared/schemas/webhooks';
import { deliveriesOf, registerWebhook, removeWebhook, toDeliveryView, toWebhookView, webhooksOf } from '../../shared/use-cases/webhooks';

function partnerIdOf(request: ApiRequest): string {
  if (request.caller.role !== 'partner') throw forbidden('forbidden', 'These credentials are not for this route.');
  return request.caller.partnerId;
}

/** §12: a partner's webhooks and their deliveries. */
export const partnerWebhookRoutes = {
  'POST /v1/partner/webhooks': withBody(createWebhookRequest, async (request, input) => ({
    status: 201,
    body: await registerWebhook(partnerIdOf(request), input),
  })),

  'GET /v1/partner/webhooks': (async (request) => {
    const { limit, cursor } = parseWith(listQuery, request.query, 'query');
    const page = await webhooksOf(partnerIdOf(request), limit, cursor);
    return { status: 200, body: { items: page.items.map(toWebhookView), nextCursor: page.nextCursor } };
  }) satisfies RouteImplementation,

  'DELETE /v1/partner/webhooks/{webhookId}': (async (request) => {
    await removeWebhook(partnerIdOf(request), request.pathParameters.webhookId ?? '');
    return { status: 204 };
  }) satisfies RouteImplementation,

  'GET /v1/partner/webhooks/{webhookId}/deliveries': (async (request) => {
    const { limit, cursor } = parseWith(listQuery, request.query, 'query');
    const page = await deliveriesOf(partnerIdOf(request), request.pathParameters.webhookId ?? '', limit, cursor);
    return { status: 200, body: { items: page.items.map(toDeliveryView), nextCursor: page.nextCursor } };
  }) satisfies RouteImplementation,
};
