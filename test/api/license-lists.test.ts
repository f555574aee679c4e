import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { backOffice } from '../support/back-office';
import { activateFirst, activationBody, camera } from '../support/licensing';

const api = useApi();
const fixtures = backOffice(api);

const slcs = (response: { body: { items: Array<{ slc: string }> } }) => response.body.items.map((item) => item.slc);

async function world() {
  const partner = await fixtures.partner('List partner');
  const other = await fixtures.partner('Other partner');
  const mine = await fixtures.customer({ name: 'Mine', partnerId: partner.partnerId });
  const mine2 = await fixtures.customer({ name: 'Mine too', partnerId: partner.partnerId });
  const theirs = await fixtures.customer({ name: 'Theirs', partnerId: other.partnerId });
  const direct = await fixtures.customer({ name: 'Direct' });
  const licenses = {
    mineA: await fixtures.license({ customerId: mine.customerId }),
    mineB: await fixtures.license({ customerId: mine.customerId, product: 'expert' }),
    mine2: await fixtures.license({ customerId: mine2.customerId }),
    theirs: await fixtures.license({ customerId: theirs.customerId }),
    direct: await fixtures.license({ customerId: direct.customerId }),
  };
  return { partner, other, mine, mine2, theirs, direct, licenses };
}

describe('GET /v1/licenses (§4 rev 2)', () => {
  it('lists every license for ops newest first, with the ?customerId= and ?partnerId= filters', async () => {
    const w = await world();
    const all = await api.ops('GET', '/v1/licenses?limit=100');
    expect(all.status).toBe(200);
    const order = [w.licenses.direct, w.licenses.theirs, w.licenses.mine2, w.licenses.mineB, w.licenses.mineA].map((license) => license.slc);
    expect(slcs(all).filter((slc: string) => order.includes(slc))).toEqual(order);
    expect(all.body.items.find((item: { slc: string }) => item.slc === w.licenses.mineA.slc)).toEqual(w.licenses.mineA);

    expect(slcs(await api.ops('GET', `/v1/licenses?customerId=${w.mine.customerId}`))).toEqual([w.licenses.mineB.slc, w.licenses.mineA.slc]);
    expect(slcs(await api.ops('GET', `/v1/licenses?partnerId=${w.partner.partnerId}`))).toEqual([w.licenses.mine2.slc, w.licenses.mineB.slc, w.licenses.mineA.slc]);
    expect(slcs(await api.ops('GET', `/v1/licenses?customerId=${w.mine.customerId}&partnerId=${w.partner.partnerId}`))).toEqual([w.licenses.mineB.slc, w.licenses.mineA.slc]);
    expect(slcs(await api.ops('GET', `/v1/licenses?customerId=${w.mine.customerId}&partnerId=${w.other.partnerId}`))).toEqual([]);
    expect(slcs(await api.ops('GET', '/v1/licenses?customerId=00000000-0000-4000-8000-000000000000'))).toEqual([]);
  });

  it("lists a partner's customers' licenses only; a filter outside its scope gives an empty list", async () => {
    const w = await world();
    const as = (query: string) => api.request('GET', `/v1/licenses${query}`, { token: w.partner.apiKey });
    expect(slcs(await as(''))).toEqual([w.licenses.mine2.slc, w.licenses.mineB.slc, w.licenses.mineA.slc]);
    expect(slcs(await as(`?customerId=${w.mine2.customerId}`))).toEqual([w.licenses.mine2.slc]);
    expect(slcs(await as(`?partnerId=${w.partner.partnerId}`))).toEqual([w.licenses.mine2.slc, w.licenses.mineB.slc, w.licenses.mineA.slc]);
    for (const query of [`?customerId=${w.theirs.customerId}`, `?customerId=${w.direct.customerId}`, `?partnerId=${w.other.partnerId}`]) {
      const response = await as(query);
      expect([response.status, response.body]).toEqual([200, { items: [], nextCursor: null }]);
    }
  });

  it('pages newest first with cursors bound to the list and the caller', async () => {
    const w = await world();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.request('GET', `/v1/licenses?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: w.partner.apiKey });
      expect(page.status).toBe(200);
      seen.push(...slcs(page));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([w.licenses.mine2.slc, w.licenses.mineB.slc, w.licenses.mineA.slc]);
    const page = await api.request('GET', '/v1/licenses?limit=1', { token: w.partner.apiKey });
    const crossed = await api.request('GET', `/v1/licenses?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`, { token: w.other.apiKey });
    expect([crossed.status, crossed.body.error.code]).toEqual([400, 'invalid_cursor']);
    const refiltered = await api.ops('GET', `/v1/licenses?limit=1&customerId=${w.mine.customerId}&cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expect(refiltered.status).toBe(400);
  });

  it.each(['limit=0', 'limit=101', 'limit=x', 'cursor=nonsense', 'customerId=', `customerId=${'x'.repeat(129)}`, 'partnerId=a%20b', 'status=active'])(
    'refuses ?%s with 400',
    async (query) => {
      const response = await api.ops('GET', `/v1/licenses?${query}`);
      expect(response.status).toBe(400);
      expect(['validation_failed', 'invalid_cursor']).toContain(response.body.error.code);
    },
  );

  it('needs ops or partner credentials', async () => {
    expect((await api.request('GET', '/v1/licenses')).status).toBe(401);
  });
});

describe('GET /v1/licenses/{slc}/installations (§4 rev 2)', () => {
  it('lists the installations of the license with their deployment, servers, device counts and last activation', async () => {
    const partner = await fixtures.partner();
    const customer = await fixtures.customer({ partnerId: partner.partnerId });
    const license = await fixtures.license({ customerId: customer.customerId });
    const first = await activateFirst(api, license.slc, [camera(), camera()]);
    const body = activationBody([camera()]);
    const second = await api.request('POST', '/v1/activations', { body: { slc: license.slc, ...body } });
    expect(second.status).toBe(201);
    expect((await api.ops('DELETE', `/v1/installations/${second.body.installationId}`)).status).toBe(204);

    const response = await api.ops('GET', `/v1/licenses/${license.slc}/installations`);
    expect(response.status).toBe(200);
    expect(response.body.nextCursor).toBeNull();
    expect(response.body.items).toEqual([
      {
        installationId: first.installationId,
        status: 'active',
        deployment: 'on-premises',
        managementServer: expect.objectContaining({ hostname: 'vms-01' }),
        recordingServers: [expect.objectContaining({ failover: false })],
        devices: { activated: 2, disabled: 0 },
        lastActivation: { at: expect.any(String), sourceIp: expect.any(String) },
        lastSeenAt: null,
      },
      {
        installationId: second.body.installationId,
        status: 'retired',
        deployment: 'on-premises',
        managementServer: body.managementServer,
        recordingServers: body.recordingServers,
        devices: { activated: 0, disabled: 0 },
        lastActivation: { at: expect.any(String), sourceIp: expect.any(String) },
        lastSeenAt: null,
      },
    ]);
    const asPartner = await api.request('GET', `/v1/licenses/${license.slc}/installations?limit=1`, { token: partner.apiKey });
    expect(asPartner.body.items.map((item: { installationId: string }) => item.installationId)).toEqual([first.installationId]);
    const next = await api.request('GET', `/v1/licenses/${license.slc}/installations?cursor=${encodeURIComponent(asPartner.body.nextCursor)}`, { token: partner.apiKey });
    expect(next.body.items.map((item: { installationId: string }) => item.installationId)).toEqual([second.body.installationId]);
  });

  it("answers 404 license_not_found for an unknown SLC and for another partner's license", async () => {
    const owner = await fixtures.partner('Owner');
    const other = await fixtures.partner('Other');
    const customer = await fixtures.customer({ partnerId: owner.partnerId });
    const license = await fixtures.license({ customerId: customer.customerId });
    for (const response of [
      await api.request('GET', `/v1/licenses/${license.slc}/installations`, { token: other.apiKey }),
      await api.ops('GET', '/v1/licenses/M01-XPCO-251-0000000000000000/installations'),
      await api.ops('GET', '/v1/licenses/nonsense/installations'),
    ]) {
      expect([response.status, response.body.error.code]).toEqual([404, 'license_not_found']);
    }
    for (const query of ['limit=0', 'cursor=x', 'status=active']) {
      expect((await api.ops('GET', `/v1/licenses/${license.slc}/installations?${query}`)).status).toBe(400);
    }
  });
});
