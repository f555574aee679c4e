import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_MOBILE_SERVERS_PER_INSTALLATION, MAX_PUSH_DEVICES_PER_MOBILE_SERVER } from '../../shared/domain/notifications';
import { MAX_NOTIFICATION_EMAILS } from '../../shared/schemas/push';
import { useApi } from '../support/api';
import { seedInstallation, seedLicense } from '../support/seed';

/**
 * The stated caps per installation (docs/DECISIONS.md): 20 mobile servers, each with at most 1,000
 * push devices and 100 e-mail addresses, so at most 20,000 push devices and 2,000 addresses.
 */
const api = useApi();

describe('registration caps per installation', () => {
  it('states the figures', () => {
    expect([MAX_MOBILE_SERVERS_PER_INSTALLATION, MAX_PUSH_DEVICES_PER_MOBILE_SERVER, MAX_NOTIFICATION_EMAILS]).toEqual([20, 1000, 100]);
  });

  it('the mobile server past the cap is 422 mobile_server_limit_reached and changes nothing; a removal frees a place', async () => {
    const installation = await seedInstallation(await seedLicense());
    const path = (guid: string) => `/v1/installations/${installation.installationId}/mobile-servers/${guid}`;
    const guids = Array.from({ length: MAX_MOBILE_SERVERS_PER_INSTALLATION }, () => randomUUID());
    for (const guid of guids) expect((await api.signed(installation, 'PUT', path(guid), { hostname: 'ms' })).status).toBe(200);

    const extra = randomUUID();
    const refused = await api.signed(installation, 'PUT', path(extra), { hostname: 'one-too-many' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('mobile_server_limit_reached');
    expect((await api.signed(installation, 'GET', path(extra))).status).toBe(404);
    // A registered one may still be re-registered (a new hostname), and is no new server.
    expect((await api.signed(installation, 'PUT', path(guids[0]!), { hostname: 'renamed' })).status).toBe(200);

    expect((await api.signed(installation, 'DELETE', path(guids[1]!))).status).toBe(204);
    expect((await api.signed(installation, 'PUT', path(extra), { hostname: 'now-fits' })).status).toBe(200);
    expect((await api.signed(installation, 'PUT', path(randomUUID()))).status).toBe(422);
  });

  it('more than 100 e-mail addresses for one mobile server are refused', async () => {
    const installation = await seedInstallation(await seedLicense());
    const path = `/v1/installations/${installation.installationId}/mobile-servers/${randomUUID()}`;
    expect((await api.signed(installation, 'PUT', path)).status).toBe(200);
    const emails = Array.from({ length: MAX_NOTIFICATION_EMAILS + 1 }, (_, i) => `user${i}@example.com`);
    const refused = await api.signed(installation, 'PUT', `${path}/emails`, { emails });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('validation_failed');
    expect((await api.signed(installation, 'PUT', `${path}/emails`, { emails: emails.slice(1) })).status).toBe(200);
  });
});
