import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { store } from '../../shared/store/client';
import { keys } from '../../shared/store/keys';
import { recordAcceptedSignature } from '../../shared/store/request-signatures';
import { BUNDLE_RUNTIME, signRequest, useApi, type InstallationCredentials } from '../support/api';
import { injectDynamoFaults } from '../support/dynamo-faults';
import { activateFirst, activationBody, camera, createLicense } from '../support/licensing';
import { seedInstallation, seedLicense } from '../support/seed';

/**
 * Replay protection (API.md §2 rev 2): a signature that verified once is refused again with 401
 * replayed_request, before anything else happens, on every instance (the record is in the table).
 */
const api = useApi();
const faults = injectDynamoFaults();
afterAll(() => faults.remove());

let installation: InstallationCredentials;
beforeAll(async () => {
  installation = await seedInstallation(await seedLicense({ carePlusValidUntil: null }));
});

/** One signed request, kept so that exactly the same bytes and headers can be sent again. */
function signed(credentials: InstallationCredentials, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const rawBody = body === undefined ? '' : JSON.stringify(body);
  const all = { ...signRequest(credentials, method, path, rawBody), ...(rawBody ? { 'content-type': 'application/json' } : {}), ...headers };
  return () => api.request(method, path, { rawBody: rawBody || undefined, headers: all });
}

const mobileServer = (credentials: InstallationCredentials, guid: string) =>
  `/v1/installations/${credentials.installationId}/mobile-servers/${guid}`;

async function registeredEmails(credentials: InstallationCredentials, guid: string): Promise<unknown> {
  const { client, tableName } = store();
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: keys.mobileServer(credentials.installationId, guid), ConsistentRead: true }),
  );
  return Item?.emails;
}

describe('replayed signatures', () => {
  it('refuses the same signed request a second time, whatever the first answer was', async () => {
    const check = signed(installation, 'GET', `/v1/installations/${installation.installationId}/license`);
    expect((await check()).status).toBe(200);
    const replay = await check();
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('replayed_request');

    // A request that verified but was refused (404: no such mobile server) used its signature too.
    const missing = signed(installation, 'GET', mobileServer(installation, randomUUID()));
    expect((await missing()).status).toBe(404);
    expect((await missing()).body.error.code).toBe('replayed_request');
  });

  it('a replay changes nothing: an older e-mail set is not put back', async () => {
    const guid = randomUUID();
    expect((await api.signed(installation, 'PUT', mobileServer(installation, guid), { hostname: 'ms' })).status).toBe(200);
    const older = signed(installation, 'PUT', `${mobileServer(installation, guid)}/emails`, { emails: ['old@example.com'] });
    expect((await older()).status).toBe(200);
    expect((await api.signed(installation, 'PUT', `${mobileServer(installation, guid)}/emails`, { emails: ['new@example.com'] })).status).toBe(200);
    const replay = await older();
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('replayed_request');
    expect(await registeredEmails(installation, guid)).toEqual(['new@example.com']);
  });

  it('a replayed re-activation does not re-apply the older configuration', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const [kept, dropped] = [camera(), camera()];
    const first = await activateFirst(api, slc, [kept]);
    const body = activationBody([kept, dropped]);
    const withBoth = signed(first, 'POST', '/v1/activations', { installationId: first.installationId, ...body });
    expect((await withBoth()).status).toBe(200);
    const withOne = await api.signed(first, 'POST', '/v1/activations', { installationId: first.installationId, ...body, devices: [kept] });
    expect(withOne.status).toBe(200);
    expect(withOne.body.released).toEqual([dropped.mac]);

    const replay = await withBoth();
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('replayed_request');
    const license = await api.ops('GET', `/v1/licenses/${slc}`);
    expect(license.body.usage.deviceLicenses).toBe(1);
  });

  it('the same signed notification sent five times is delivered once', async () => {
    const withCarePlus = await seedInstallation(await seedLicense({ carePlusValidUntil: new Date(Date.now() + 86_400_000).toISOString() }));
    const guid = randomUUID();
    expect((await api.signed(withCarePlus, 'PUT', mobileServer(withCarePlus, guid), { hostname: 'ms' })).status).toBe(200);
    expect((await api.signed(withCarePlus, 'PUT', `${mobileServer(withCarePlus, guid)}/emails`, { emails: ['ops@example.com'] })).status).toBe(200);
    const notify = signed(withCarePlus, 'POST', `/v1/installations/${withCarePlus.installationId}/notifications`, {
      mobileServerGuid: guid,
      title: 'Motion',
      body: 'Camera 4',
    });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await notify());
    expect(answers.map((answer) => answer.status)).toEqual([202, 401, 401, 401, 401]);
    const { client, tableName } = store();
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: keys.notification(answers[0]!.body.notificationId), ConsistentRead: true }),
    );
    expect(Item).toBeDefined();
  });

  it('of concurrent copies of one signed request exactly one is accepted', async () => {
    const guid = randomUUID();
    const send = signed(installation, 'PUT', mobileServer(installation, guid), { hostname: 'concurrent' });
    const answers = await Promise.all(Array.from({ length: 12 }, () => send()));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, ...Array(11).fill(401)]);
    expect(answers.filter((answer) => answer.status === 401).every((answer) => answer.body.error.code === 'replayed_request')).toBe(true);
  });

  it('a client that lost the answer signs again and, with the same Idempotency-Key, gets the first response', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const first = await activateFirst(api, slc, [camera()]);
    const body = { installationId: first.installationId, ...activationBody([camera(), camera()]) };
    const key = { 'idempotency-key': randomUUID() };
    const original = signed(first, 'POST', '/v1/activations', body, key);
    const answered = await original();
    expect(answered.status).toBe(200);

    // The same bytes again are a replay, refused before the idempotency record is consulted.
    expect((await original()).body.error.code).toBe('replayed_request');
    // Signed again (a new timestamp), the retry gets the first response without running again.
    const retry = await signed(first, 'POST', '/v1/activations', body, key)();
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(answered.body);
    const license = await api.ops('GET', `/v1/licenses/${slc}`);
    expect(license.body.usage.deviceLicenses).toBe(2);
  });

  it('a signature with a changed timestamp is a bad signature, not a fresh request', async () => {
    const path = `/v1/installations/${installation.installationId}/license`;
    const headers = signRequest(installation, 'GET', path, '');
    const moved = await api.request('GET', path, { headers: { ...headers, 'x-timestamp': String(Number(headers['x-timestamp']) + 1) } });
    expect(moved.status).toBe(401);
    expect(moved.body.error.code).toBe('invalid_signature');
  });
});

// DynamoDB faults are injected into this process's client: not into the bundle runtime's workers.
describe.skipIf(BUNDLE_RUNTIME)('the accepted-signature record under DynamoDB faults', () => {
  const path = () => `/v1/installations/${installation.installationId}/license`;

  it('a write that failed (nothing stored) answers 500, and the client re-signs', async () => {
    // Call 1 reads the installation, call 2 is the signature record.
    faults.reset({ layer: 'application', timing: 'before', at: 2 });
    const failed = await signed(installation, 'GET', path())();
    expect(faults.state.commands[1]).toBe('PutItemCommand');
    faults.reset();
    expect(failed.status).toBe(500);
    expect(failed.body.error.code).toBe('internal_error');
    expect((await api.signed(installation, 'GET', path())).status).toBe(200);
  });

  it('a write whose answer was lost answers 500; that signature stays used, a fresh one works', async () => {
    faults.reset({ layer: 'application', timing: 'after', at: 2 });
    const send = signed(installation, 'GET', path());
    const failed = await send();
    faults.reset();
    expect(failed.status).toBe(500);
    expect((await send()).body.error.code).toBe('replayed_request');
    expect((await api.signed(installation, 'GET', path())).status).toBe(200);
  });

  it('the SDK retrying its own committed write is not taken for a replay', async () => {
    faults.reset({ layer: 'sdk', timing: 'after', at: 2 });
    const answer = await signed(installation, 'GET', path())();
    const injected = faults.state.injected;
    faults.reset();
    expect(injected).toBe(1);
    expect(answer.status).toBe(200);
  });

  it('records each signature once, with a TTL past the 300-second window', async () => {
    const signature = randomUUID().replaceAll('-', '');
    const expiresAt = Math.floor(Date.now() / 1000) + 600;
    expect(await recordAcceptedSignature('inst', signature, expiresAt)).toBe('first_use');
    expect(await recordAcceptedSignature('inst', signature, expiresAt)).toBe('replayed');
    const { client, tableName } = store();
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.acceptedSignature('inst', signature) }));
    expect(Item?.expiresAt).toBe(expiresAt);
  });
});
