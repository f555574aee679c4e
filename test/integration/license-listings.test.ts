import { afterAll, describe, expect, it } from 'vitest';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { useApi } from '../support/api';
import { backOffice, rawLicense, rawLicenseListing } from '../support/back-office';
import { activationBody, camera } from '../support/licensing';
import { store } from '../../shared/store/client';
import { keys } from '../../shared/store/keys';
import { getLicense, licenseItem, licenseListingItem } from '../../shared/store/licenses';
import { migrateStoredData, moveLicenseIndexKeysToListings } from '../../shared/store/migrations';

const api = useApi();
const fixtures = backOffice(api);

/** What DynamoDB reports an activation writes to each index of the table. */
function indexWriteUnits() {
  const { client } = store();
  const byIndex: Record<string, number> = {};
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (!input.TransactItems && !input.Key && !input.Item) return next(args);
      input.ReturnConsumedCapacity = 'INDEXES';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      for (const entry of (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Array<{ GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }> }>) {
        for (const [index, units] of Object.entries(entry.GlobalSecondaryIndexes ?? {})) byIndex[index] = (byIndex[index] ?? 0) + (units.CapacityUnits ?? 0);
      }
      return result;
    },
    { step: 'initialize', name: 'indexWriteUnits', priority: 'low' },
  );
  return { byIndex, remove: () => client.middlewareStack.remove('indexWriteUnits') };
}

/** Writes a license as builds before listing entries stored it: the index keys on the license item, no entry. */
async function storeInEarlierLayout(slc: string): Promise<void> {
  const license = (await getLicense(slc))!;
  const { pk: _pk, sk: _sk, type: _type, slc: _slc, customerId: _c, partnerId: _p, createdAt: _at, ...indexKeys } = licenseListingItem(license);
  const { client, tableName } = store();
  await client.send(new PutCommand({ TableName: tableName, Item: { ...licenseItem(license), ...indexKeys } }));
  await client.send(new DeleteCommand({ TableName: tableName, Key: keys.licenseListing(slc) }));
}


const slcsOf = (answer: { body: { items: Array<{ slc: string }> } }) => answer.body.items.map((item) => item.slc);

describe('license listing entries (docs/DATA-MODEL.md)', () => {
  const capacity = indexWriteUnits();
  afterAll(() => capacity.remove());

  it('an activation moves the license counters without writing any license list index', async () => {
    const partner = await fixtures.partner();
    const customer = await fixtures.customer({ partnerId: partner.partnerId });
    const license = await fixtures.license({ customerId: customer.customerId });
    for (const index of Object.keys(capacity.byIndex)) delete capacity.byIndex[index];
    const first = await api.request('POST', '/v1/activations', { body: { slc: license.slc, ...activationBody([camera()]) } });
    expect(first.status).toBe(201);
    // gsi1 takes the new installation (the license's installations list); gsi2 and gsi3 list licenses only.
    expect(capacity.byIndex).not.toHaveProperty('gsi2');
    expect(capacity.byIndex).not.toHaveProperty('gsi3');
    expect((await rawLicense(license.slc))!).not.toHaveProperty('gsi1pk');
    expect((await getLicense(license.slc))!.usedDeviceLicenses).toBe(1);
  });

  it('a license stored in the earlier layout is listed once before and after the migration, which moves its keys once', async () => {
    const partner = await fixtures.partner();
    const customer = await fixtures.customer({ partnerId: partner.partnerId });
    const license = await fixtures.license({ customerId: customer.customerId });
    await storeInEarlierLayout(license.slc);
    const lists = async () => ({
      byCustomer: slcsOf(await api.ops('GET', `/v1/licenses?customerId=${customer.customerId}`)),
      byPartner: slcsOf(await api.ops('GET', `/v1/licenses?partnerId=${partner.partnerId}`)),
      partnerOwn: slcsOf(await api.request('GET', '/v1/licenses', { token: partner.apiKey })),
    });
    const expected = { byCustomer: [license.slc], byPartner: [license.slc], partnerOwn: [license.slc] };
    expect(await lists()).toEqual(expected);
    expect(await rawLicenseListing(license.slc)).toBeUndefined();

    const report = await moveLicenseIndexKeysToListings();
    expect(report.moved).toBeGreaterThanOrEqual(1);
    expect(await rawLicense(license.slc)).not.toHaveProperty('gsi3pk');
    expect(await rawLicenseListing(license.slc)).toMatchObject({ slc: license.slc, customerId: customer.customerId, partnerId: partner.partnerId });
    expect(await lists()).toEqual(expected);
    expect((await api.ops('GET', `/v1/licenses/${license.slc}`)).body).toMatchObject({ slc: license.slc, usage: { deviceLicenses: 0 } });
    const again = await moveLicenseIndexKeysToListings();
    expect(again).toMatchObject({ found: 0, moved: 0 });
  });

  it('a transfer of a license stored in the earlier layout lists it under the new customer and partner only', async () => {
    const partnerA = await fixtures.partner('Partner A');
    const partnerB = await fixtures.partner('Partner B');
    const customerA = await fixtures.customer({ partnerId: partnerA.partnerId });
    const customerB = await fixtures.customer({ partnerId: partnerB.partnerId });
    const license = await fixtures.license({ customerId: customerA.customerId });
    await storeInEarlierLayout(license.slc);
    expect((await api.ops('POST', `/v1/licenses/${license.slc}/transfer`, { toCustomerId: customerB.customerId, eulaAccepted: true })).status).toBe(200);
    expect(await rawLicense(license.slc)).not.toHaveProperty('gsi2pk');
    expect(slcsOf(await api.ops('GET', `/v1/licenses?customerId=${customerA.customerId}`))).toEqual([]);
    expect(slcsOf(await api.request('GET', '/v1/licenses', { token: partnerA.apiKey }))).toEqual([]);
    expect(slcsOf(await api.ops('GET', `/v1/licenses?customerId=${customerB.customerId}`))).toEqual([license.slc]);
    expect(slcsOf(await api.request('GET', '/v1/licenses', { token: partnerB.apiKey }))).toEqual([license.slc]);
  });

  it('npm run migrate records each step that finished with nothing left, and skips it from then on', async () => {
    const first = await migrateStoredData();
    expect(first.licenseListings).toMatchObject({ changedMeanwhile: 0 });
    expect(first.deviceEncoding).toMatchObject({ changedMeanwhile: 0 });
    const second = await migrateStoredData();
    expect(second).toMatchObject({ licenseListings: 'done earlier', deviceEncoding: 'done earlier' });
    // Splitting device groups runs every time (an entitlement can outgrow its groups); nothing is left to split.
    expect(second.deviceGroupWidths).toMatchObject({ widened: 0, changedMeanwhile: 0 });
  });
});
