import { describe, expect, it } from 'vitest';
import { inProcess, useApi } from '../support/api';
import { TEST_OPS_TOKEN } from '../support/setup';

const api = useApi();

describe('API conventions (API.md §1–§2)', () => {
  it('answers health without credentials', async () => {
    const response = await api.request('GET', '/v1/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('publishes the signing keys as a JWKS of OKP keys', async () => {
    const response = await api.request('GET', '/v1/keys');
    expect(response.status).toBe(200);
    expect(response.body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect(response.body.keys[0].kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses missing and unknown credentials with 401 unauthorized', async () => {
    expect((await api.request('POST', '/v1/partners', { body: { name: 'A' } })).body.error.code).toBe('unauthorized');
    const wrong = await api.request('POST', '/v1/partners', { body: { name: 'A' }, token: 'not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('unauthorized');
  });

  it('refuses a partner key on an ops route with 403 forbidden', async () => {
    const partner = await api.ops('POST', '/v1/partners', { name: 'Channel One' });
    const response = await api.request('POST', '/v1/partners', { body: { name: 'B' }, token: partner.body.apiKey });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('forbidden');
  });

  it('refuses other content types with 415, bad JSON with 400 and bodies over 6 MiB with 413', async () => {
    const text = await api.request('POST', '/v1/partners', {
      rawBody: 'name=A',
      token: TEST_OPS_TOKEN,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported_media_type');

    const broken = await api.request('POST', '/v1/partners', {
      rawBody: '{"name":',
      token: TEST_OPS_TOKEN,
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_json');

    const huge = await api.request('POST', '/v1/partners', {
      rawBody: JSON.stringify({ name: 'x'.repeat(6 * 1024 * 1024) }),
      token: TEST_OPS_TOKEN,
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  it('rejects unknown fields and over-long strings with validation details', async () => {
    const extra = await api.ops('POST', '/v1/partners', { name: 'A', colour: 'blue' });
    expect(extra.status).toBe(400);
    expect(extra.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'colour' }] });
    const long = await api.ops('POST', '/v1/partners', { name: 'x'.repeat(201) });
    expect(long.status).toBe(400);
    expect(long.body.error.details[0].path).toBe('name');
  });

  it('answers unknown routes with a 404 envelope', async () => {
    const response = await api.request('GET', '/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('route_not_found');
  });

  describe('Idempotency-Key', () => {
    it('replays the first response for the same key and body', async () => {
      const first = await api.ops('POST', '/v1/partners', { name: 'Replay' }, { 'idempotency-key': 'partner-replay-1' });
      const second = await api.ops('POST', '/v1/partners', { name: 'Replay' }, { 'idempotency-key': 'partner-replay-1' });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
    });

    it('refuses the same key with another body with 422 idempotency_key_reused', async () => {
      await api.ops('POST', '/v1/partners', { name: 'One' }, { 'idempotency-key': 'partner-reuse-1' });
      const response = await api.ops('POST', '/v1/partners', { name: 'Two' }, { 'idempotency-key': 'partner-reuse-1' });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('idempotency_key_reused');
    });

    it('runs two concurrent requests with one key once', async () => {
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => api.ops('POST', '/v1/partners', { name: 'Race' }, { 'idempotency-key': 'partner-race-1' })),
      );
      const created = responses.filter((r) => r.status === 201);
      const inProgress = responses.filter((r) => r.status === 409);
      expect(created.length + inProgress.length).toBe(6);
      expect(new Set(created.map((r) => r.body.partnerId)).size).toBe(1);
      for (const r of inProgress) expect(r.body.error.code).toBe('idempotency_in_progress');
    });

    it('refuses a malformed key', async () => {
      const response = await api.ops('POST', '/v1/partners', { name: 'A' }, { 'idempotency-key': 'x'.repeat(129) });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    });
  });
});

describe('Idempotency records', () => {
  it('keep the first response sealed, so a stored API key or secret is not readable in the table', async () => {
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const { store } = await import('../../shared/store/client');
    const first = await api.ops('POST', '/v1/partners', { name: 'Sealed' }, { 'idempotency-key': 'sealed-1' });
    const { client, tableName } = store();
    const items = (await client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    const records = items.filter((item) => String(item.pk).startsWith('IDEMPOTENCY#'));
    expect(records.length).toBeGreaterThan(0);
    expect(JSON.stringify(records)).not.toContain(first.body.apiKey);
    const replay = await api.ops('POST', '/v1/partners', { name: 'Sealed' }, { 'idempotency-key': 'sealed-1' });
    expect(replay.body.apiKey).toBe(first.body.apiKey);
  });
});

describe('Idempotency after a crash', () => {
  inProcess.it('a key whose holder died is free again once its 10-second lease runs out', async () => {
    const { PutCommand, GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const { store } = await import('../../shared/store/client');
    const { keys } = await import('../../shared/store/keys');
    const { sha256Hex } = await import('../../shared/crypto');
    const { fixedClock, resetClock, setClock } = await import('../../shared/adapters/clock');
    const body = { name: 'Crashed holder' };
    const key = `crashed-${Date.now()}`;
    const itemKey = keys.idempotency('ops', sha256Hex(key));
    const now = Date.now();
    // What a run leaves behind when its process is killed after claiming the key: a claim nobody renews.
    const { client, tableName } = store();
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...itemKey, status: 'in_progress', requestHash: sha256Hex(`POST\n/v1/partners\n${JSON.stringify(body)}`), leaseOwner: 'dead-run', leaseUntil: now + 10_000, expiresAt: Math.floor(now / 1000) + 3600 },
      }),
    );
    const clock = fixedClock(new Date(now));
    setClock(clock);
    try {
      clock.advance(9_000);
      expect((await api.ops('POST', '/v1/partners', body, { 'idempotency-key': key })).status).toBe(409);
      clock.advance(1_500);
      const taken = await api.ops('POST', '/v1/partners', body, { 'idempotency-key': key });
      expect(taken.status).toBe(201);
      const replay = await api.ops('POST', '/v1/partners', body, { 'idempotency-key': key });
      expect(replay.body).toEqual(taken.body);
    } finally {
      resetClock();
    }
    const record = (await client.send(new GetCommand({ TableName: tableName, Key: itemKey }))).Item;
    expect(record?.status).toBe('completed');
  });
});
