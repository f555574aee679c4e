import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetClock, setClock } from '../../shared/adapters/clock';
import { startLocalEvents, type LocalEvents } from '../../local/events';
import type { PublishedEvent } from '../../shared/adapters/event-bus';
import { fanOutEvent } from '../../shared/use-cases/webhooks';
import { inProcess, useApi } from '../support/api';
import { activateFirst, camera } from '../support/licensing';
import { backOffice } from '../support/back-office';
import { withMiddleware } from '../support/interleave';

const api = useApi();
const fixtures = backOffice(api);
let events: LocalEvents;
/** The service's clock runs this far ahead of the real one (a retry hours away is made due now). */
let ahead = 0;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

interface Receiver {
  url: string;
  received: Received[];
  /** Answers 503 to the first `failures` attempts of each event, then 204. */
  failures: number;
  server: Server;
}

async function receiver(failures = 0): Promise<Receiver> {
  const state = { received: [] as Received[], failures, url: '', server: undefined as unknown as Server };
  state.server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
    state.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() + ahead });
    const attempts = state.received.filter((entry) => entry.headers['webhook-id'] === request.headers['webhook-id']).length;
    response.writeHead(attempts <= state.failures ? 503 : 204).end();
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/hooks`;
  return state;
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const partnerApi = (apiKey: string) => ({
  post: (path: string, body: unknown) => api.request('POST', path, { body, token: apiKey }),
  get: (path: string) => api.request('GET', path, { token: apiKey }),
  delete: (path: string) => api.request('DELETE', path, { token: apiKey }),
});

/**
 * Partner A's customer holds a license; partner B has a customer of its own to transfer it to. Each
 * partner has a webhook for `events` at a receiver of its own.
 */
async function licenseOfPartnerAWithPartnerBBeside(events: string[]) {
  const partnerA = await fixtures.partner('Partner A');
  const partnerB = await fixtures.partner('Partner B');
  const customerA = await fixtures.customer({ partnerId: partnerA.partnerId });
  const customerB = await fixtures.customer({ partnerId: partnerB.partnerId });
  const license = await fixtures.license({ customerId: customerA.customerId });
  const toA = await receiver();
  const toB = await receiver();
  expect((await partnerApi(partnerA.apiKey).post('/v1/partner/webhooks', { url: toA.url, events })).status).toBe(201);
  expect((await partnerApi(partnerB.apiKey).post('/v1/partner/webhooks', { url: toB.url, events })).status).toBe(201);
  return { license, customerB, toA, toB };
}

beforeAll(async () => {
  setClock({ now: () => new Date(Date.now() + ahead) });
  events = await startLocalEvents({ dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, dataDir: undefined });
});
afterAll(async () => {
  await events.stop();
  resetClock();
});

describe('partner webhooks (API.md §12)', () => {
  it('delivers a partner its own events only, retries a failing receiver, and signs every attempt per Standard Webhooks', async () => {
    const partnerA = await fixtures.partner('Partner A');
    const partnerB = await fixtures.partner('Partner B');
    const customerA = await fixtures.customer({ partnerId: partnerA.partnerId });
    const customerB = await fixtures.customer({ partnerId: partnerB.partnerId });
    const licenseA = await fixtures.license({ customerId: customerA.customerId, deviceLicenses: 5 });
    const licenseB = await fixtures.license({ customerId: customerB.customerId, deviceLicenses: 5 });

    const failing = await receiver(2);
    const other = await receiver();
    const a = partnerApi(partnerA.apiKey);
    const b = partnerApi(partnerB.apiKey);
    const hookA = await a.post('/v1/partner/webhooks', { url: failing.url, events: ['license.*', 'activation.completed', 'usage.*'] });
    expect(hookA.status).toBe(201);
    expect(hookA.body).toEqual({ webhookId: expect.any(String), url: failing.url, events: ['license.*', 'activation.completed', 'usage.*'], createdAt: expect.any(String), secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]+$/) });
    const hookB = await b.post('/v1/partner/webhooks', { url: other.url, events: ['*'] });
    expect(hookB.status).toBe(201);
    // The secret is shown once: the list does not carry it.
    expect((await a.get('/v1/partner/webhooks')).body.items).toEqual([{ webhookId: hookA.body.webhookId, url: failing.url, events: hookA.body.events, createdAt: expect.any(String) }]);

    expect((await api.ops('PATCH', `/v1/licenses/${licenseA.slc}`, { deviceLicenses: 6 })).status).toBe(200);
    await activateFirst(api, licenseA.slc, [camera()]);
    expect((await api.ops('PATCH', `/v1/licenses/${licenseB.slc}`, { deviceLicenses: 7 })).status).toBe(200);

    // Two failed attempts: at once, then within 30 s.
    const updated = () => failing.received.filter((entry) => JSON.parse(entry.body).type === 'license.updated');
    await waitFor('the retry of license.updated', () => updated().length >= 2 || undefined);
    const [first, second] = updated();
    expect(second!.at - first!.at).toBeLessThanOrEqual(30_000);

    // The third attempt is due 5 minutes after the second is recorded: then run the service's clock ahead.
    const eventId = String(first!.headers['webhook-id']);
    await waitFor('the second attempt recorded', async () => {
      const list = (await a.get(`/v1/partner/webhooks/${hookA.body.webhookId}/deliveries`)).body.items as any[];
      return list.find((item) => item.eventId === eventId)?.attempts === 2 || undefined;
    });
    ahead += 5 * 60_000 + 1000;
    await waitFor('the third attempt', () => updated().length >= 3 || undefined);
    const delivered = updated()[2]!;
    const body = JSON.parse(delivered.body);
    expect(body).toEqual({
      type: 'license.updated',
      timestamp: expect.any(String),
      data: { slc: licenseA.slc, eventId: delivered.headers['webhook-id'], at: body.timestamp, actor: 'ops', details: { deviceLicenses: { from: 5, to: 6 } } },
    });
    vi.setSystemTime(delivered.at);
    try {
      expect(new Webhook(hookA.body.secret).verify(delivered.body, delivered.headers as Record<string, string>)).toEqual(body);
      expect(() => new Webhook(hookB.body.secret).verify(delivered.body, delivered.headers as Record<string, string>)).toThrow();
    } finally {
      vi.useRealTimers();
    }
    // every attempt carries the same webhook-id, the eventId
    expect(new Set(updated().map((entry) => entry.headers['webhook-id'])).size).toBe(1);

    const deliveries = await waitFor('the deliveries list', async () => {
      const list = (await a.get(`/v1/partner/webhooks/${hookA.body.webhookId}/deliveries`)).body.items as any[];
      const found = list.find((item) => item.eventId === body.data.eventId);
      return found?.status === 'delivered' ? list : undefined;
    });
    expect(deliveries.find((item) => item.eventId === body.data.eventId)).toEqual({ eventId: body.data.eventId, type: 'license.updated', status: 'delivered', attempts: 3, lastStatusCode: 204 });
    // (license.created may have been fanned out before the webhook existed: it is then not delivered)
    const types = new Set(deliveries.map((item) => item.type));
    expect([...types].sort()).toEqual(expect.arrayContaining(['activation.completed', 'license.updated']));
    expect([...types].every((type) => ['license.created', 'license.updated', 'activation.completed'].includes(type))).toBe(true);

    // Partner B got its own license's events, and nothing of partner A's.
    await waitFor('partner B’s event', () => other.received.some((entry) => JSON.parse(entry.body).type === 'license.updated') || undefined);
    expect(other.received.map((entry) => JSON.parse(entry.body).data.slc)).toEqual(other.received.map(() => licenseB.slc));
    expect(failing.received.map((entry) => JSON.parse(entry.body).data.slc)).toEqual(failing.received.map(() => licenseA.slc));

    // A partner sees and deletes only its own webhooks.
    expect((await b.get(`/v1/partner/webhooks/${hookA.body.webhookId}/deliveries`)).status).toBe(404);
    expect((await b.delete(`/v1/partner/webhooks/${hookA.body.webhookId}`)).status).toBe(404);
    expect((await a.delete(`/v1/partner/webhooks/${hookA.body.webhookId}`)).status).toBe(204);
    expect((await a.delete(`/v1/partner/webhooks/${hookA.body.webhookId}`)).status).toBe(404);
    for (const server of [failing.server, other.server]) server.close();
  }, 90_000);

  it('sends an event from before a transfer to the partner that held the license then, and the transfer to the new one', async () => {
    const { license, customerB, toA, toB } = await licenseOfPartnerAWithPartnerBBeside(['license.*']);
    expect((await api.ops('PATCH', `/v1/licenses/${license.slc}`, { deviceLicenses: 51 })).status).toBe(200);
    expect((await api.ops('POST', `/v1/licenses/${license.slc}/transfer`, { toCustomerId: customerB.customerId, eulaAccepted: true })).status).toBe(200);
    expect((await api.ops('PATCH', `/v1/licenses/${license.slc}`, { deviceLicenses: 52 })).status).toBe(200);
    const typesOf = (target: Receiver) => target.received.map((entry) => JSON.parse(entry.body)).map((payload) => `${payload.type}:${payload.data.details.deviceLicenses?.to ?? ''}`);
    await waitFor('both partners’ deliveries', () => (typesOf(toA).includes('license.updated:51') && toB.received.length >= 2) || undefined, 75_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // license.created reaches partner A only if it was fanned out after A's webhook existed (the stream may be faster than the registration).
    expect(typesOf(toA).filter((type) => type !== 'license.created:')).toEqual(['license.updated:51']);
    expect(typesOf(toB).sort()).toEqual(['license.transferred:', 'license.updated:52']);
    for (const server of [toA.server, toB.server]) server.close();
  }, 90_000);

  inProcess.it('sends an event fanned out while its license is being transferred to the partner that held it', async () => {
    const { license, customerB, toA, toB } = await licenseOfPartnerAWithPartnerBBeside(['license.updated']);
    const event: PublishedEvent = {
      slc: license.slc,
      eventId: randomUUID(),
      at: new Date(Date.now() + ahead).toISOString(),
      type: 'license.updated',
      actor: 'ops',
      sourceIp: '127.0.0.1',
      details: {},
    };
    // The transfer is recorded later than the event, as it would be.
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The transfer commits right after the fan-out's first read of the license's state.
    let transferred = false;
    const fannedOut = await withMiddleware(
      'transfer-during-fan-out',
      (next) => async (args) => {
        const result = await next(args);
        if (!transferred) {
          transferred = true;
          expect((await api.ops('POST', `/v1/licenses/${license.slc}/transfer`, { toCustomerId: customerB.customerId, eulaAccepted: true })).status).toBe(200);
        }
        return result;
      },
      () => fanOutEvent(event),
    );
    expect(fannedOut).toBe(1);
    expect(transferred).toBe(true);
    await waitFor('partner A’s delivery', () => toA.received.length >= 1 || undefined);
    expect(toA.received.map((entry) => JSON.parse(entry.body).data.eventId)).toEqual([event.eventId]);
    expect(toB.received.filter((entry) => JSON.parse(entry.body).data.eventId === event.eventId)).toEqual([]);
    for (const server of [toA.server, toB.server]) server.close();
  });

  inProcess.it('accepts only https to public addresses, or http://127.0.0.1 under npm start, and refuses other callers', async () => {
    const partner = await fixtures.partner();
    const p = partnerApi(partner.apiKey);
    for (const url of ['http://10.0.0.1/hook', 'https://10.0.0.1/hook', 'https://[::1]/hook', 'https://169.254.169.254/latest', 'http://localhost:9/hook', 'ftp://example.com/', 'not a url', 'https://user:pw@example.com/']) {
      const response = await p.post('/v1/partner/webhooks', { url, events: ['*'] });
      expect(response.status, url).toBe(422);
      expect(response.body.error.code).toBe('invalid_webhook_url');
    }
    const previous = process.env.WEBHOOK_URL_POLICY;
    process.env.WEBHOOK_URL_POLICY = 'public';
    try {
      expect((await p.post('/v1/partner/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'] })).body.error.code).toBe('invalid_webhook_url');
    } finally {
      process.env.WEBHOOK_URL_POLICY = previous;
    }
    expect((await p.post('/v1/partner/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['license.'] })).status).toBe(400);
    expect((await p.post('/v1/partner/webhooks', { url: 'http://127.0.0.1:9/hook', events: [] })).status).toBe(400);
    expect((await p.post('/v1/partner/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'], extra: 1 })).status).toBe(400);
    expect((await api.ops('POST', '/v1/partner/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'] })).status).toBe(403);
    expect((await p.get('/v1/partner/webhooks')).body.items).toEqual([]);
  });
});
