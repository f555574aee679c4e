import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { store } from '../../shared/store/client';
import { keys } from '../../shared/store/keys';
import { useApi, type InstallationCredentials } from '../support/api';
import { injectDynamoFaults } from '../support/dynamo-faults';
import { runUnderEveryFault } from '../support/fault-cases';
import { seedInstallation, seedLicense } from '../support/seed';

/**
 * Push registration (PUT mobile server, PUT push device, PUT e-mails, DELETE push device) under a
 * DynamoDB fault at every call: each converges on retry, registrations are present exactly once and
 * the mobile server's device count equals its device items.
 */
const api = useApi();
const faults = injectDynamoFaults();
afterAll(() => faults.remove());
const summaries: unknown[] = [];
afterAll(() => console.log(`[faults] ${JSON.stringify(summaries)}`));

async function itemsUnder(installationId: string, guid: string) {
  const { client, tableName } = store();
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.installation(installationId).pk, ':prefix': `MOBILESERVER#${guid}` },
      ConsistentRead: true,
    }),
  );
  const items = result.Items ?? [];
  return {
    server: items.filter((item) => item.type === 'mobile_server'),
    devices: items.filter((item) => item.type === 'push_device'),
  };
}

interface Context {
  installation: InstallationCredentials;
  guid: string;
  base: string;
  deviceGuids: string[];
}

/** An installation with a registered mobile server that has `devices` push devices and one e-mail. */
async function mobileServerWith(devices: number): Promise<Context> {
  const installation = await seedInstallation(await seedLicense());
  const guid = randomUUID();
  const base = `/v1/installations/${installation.installationId}/mobile-servers/${guid}`;
  expect((await api.signed(installation, 'PUT', base, { hostname: 'mobile-01' })).status).toBe(200);
  const deviceGuids: string[] = [];
  for (let i = 0; i < devices; i++) {
    const deviceGuid = randomUUID();
    expect((await api.signed(installation, 'PUT', `${base}/devices/${deviceGuid}`, { platform: 'android', pushToken: `fcm-${i}` })).status).toBe(200);
    deviceGuids.push(deviceGuid);
  }
  expect((await api.signed(installation, 'PUT', `${base}/emails`, { emails: ['first@example.com'] })).status).toBe(200);
  return { installation, guid, base, deviceGuids };
}

async function expectCounted(context: Context, devices: number) {
  const stored = await itemsUnder(context.installation.installationId, context.guid);
  expect(stored.server).toHaveLength(1);
  expect(stored.server[0]!.deleting).toBeUndefined();
  expect(stored.devices).toHaveLength(devices);
  expect(stored.server[0]!.deviceCount).toBe(devices);
  return stored;
}

describe('push registration with a DynamoDB fault at every call', () => {
  it('PUT mobile server (new): registered exactly once', async () => {
    summaries.push(
      await runUnderEveryFault(faults, {
        name: 'put-mobile-server-new',
        idempotent: true,
        async prepare() {
          const installation = await seedInstallation(await seedLicense());
          const guid = randomUUID();
          return { installation, guid, base: `/v1/installations/${installation.installationId}/mobile-servers/${guid}`, deviceGuids: [] };
        },
        act: (context) => api.signed(context.installation, 'PUT', context.base, { hostname: 'mobile-new' }),
        async check(context, final) {
          expect(final.body).toEqual({ guid: context.guid, hostname: 'mobile-new', devices: [], emails: [] });
          await expectCounted(context, 0);
        },
      }),
    );
  }, 900_000);

  it('PUT mobile server (known): hostname replaced, devices and e-mails kept', async () => {
    summaries.push(
      await runUnderEveryFault(faults, {
        name: 'put-mobile-server-known',
        idempotent: true,
        prepare: () => mobileServerWith(2),
        act: (context) => api.signed(context.installation, 'PUT', context.base, { hostname: 'renamed' }),
        async check(context, final) {
          expect(final.body.hostname).toBe('renamed');
          expect(final.body.emails).toEqual(['f***@example.com']);
          expect(final.body.devices.map((d: any) => d.guid).sort()).toEqual([...context.deviceGuids].sort());
          await expectCounted(context, 2);
        },
      }),
    );
  }, 900_000);

  it('PUT push device (new): present exactly once and counted once', async () => {
    const deviceGuid = randomUUID();
    summaries.push(
      await runUnderEveryFault(faults, {
        name: 'put-push-device-new',
        idempotent: true,
        prepare: () => mobileServerWith(2),
        act: (context) => api.signed(context.installation, 'PUT', `${context.base}/devices/${deviceGuid}`, { platform: 'ios', pushToken: 'apns-token-new' }),
        async check(context, final) {
          expect(final.body.devices).toContainEqual({ guid: deviceGuid, platform: 'ios' });
          const stored = await expectCounted(context, 3);
          expect(stored.devices.filter((device) => device.guid === deviceGuid).map((device) => device.pushToken)).toEqual(['apns-token-new']);
        },
      }),
    );
  }, 900_000);

  it('PUT push device (known): token replaced, nothing counted twice', async () => {
    summaries.push(
      await runUnderEveryFault(faults, {
        name: 'put-push-device-known',
        idempotent: true,
        prepare: () => mobileServerWith(2),
        act: (context) => api.signed(context.installation, 'PUT', `${context.base}/devices/${context.deviceGuids[0]}`, { platform: 'web', pushToken: 'web-token-2' }),
        async check(context) {
          const stored = await expectCounted(context, 2);
          const device = stored.devices.find((item) => item.guid === context.deviceGuids[0]);
          expect([device?.platform, device?.pushToken]).toEqual(['web', 'web-token-2']);
        },
      }),
    );
  }, 900_000);

  it('PUT e-mails: the set replaced', async () => {
    summaries.push(
      await runUnderEveryFault(faults, {
        name: 'put-emails',
        idempotent: true,
        prepare: () => mobileServerWith(1),
        act: (context) => api.signed(context.installation, 'PUT', `${context.base}/emails`, { emails: ['a@example.com', 'B@example.com', 'b@example.com'] }),
        async check(context, final) {
          expect(final.body.emails).toEqual(['a***@example.com', 'B***@example.com']);
          const stored = await expectCounted(context, 1);
          expect(stored.server[0]!.emails).toEqual(['a@example.com', 'B@example.com']);
        },
      }),
    );
  }, 900_000);

  it('DELETE push device: removed once, counted down once', async () => {
    summaries.push(
      await runUnderEveryFault(faults, {
        name: 'delete-push-device',
        // The faulted attempt may have removed the device before its answer was lost.
        retryMayAnswer: [404],
        prepare: () => mobileServerWith(3),
        act: (context) => api.signed(context.installation, 'DELETE', `${context.base}/devices/${context.deviceGuids[1]}`),
        async check(context, final) {
          if (final.status === 404) expect(final.body.error.code).toBe('push_device_not_found');
          const stored = await expectCounted(context, 2);
          expect(stored.devices.map((device) => device.guid)).not.toContain(context.deviceGuids[1]);
        },
      }),
    );
  }, 900_000);
});
