import { randomUUID } from 'node:crypto';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { store } from '../../shared/store/client';
import { keys } from '../../shared/store/keys';
import {
  deleteMobileServer,
  getMobileServer,
  getMobileServerWithDevices,
  putMobileServer,
  putPushDevice,
} from '../../shared/store/push';

const now = () => new Date().toISOString();

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
  return result.Items ?? [];
}

const device = (installationId: string, mobileServerGuid: string) => ({
  installationId,
  mobileServerGuid,
  guid: randomUUID(),
  platform: 'android' as const,
  pushToken: `t-${randomUUID()}`,
});

describe('push registrations under concurrency', () => {
  it('never lets concurrent registrations exceed the device cap', async () => {
    const installationId = randomUUID();
    const guid = randomUUID();
    await putMobileServer(installationId, guid, null, now());
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => putPushDevice(device(installationId, guid), now(), 4)));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(4);
    expect(outcomes.filter((o) => o === 'device_limit_reached')).toHaveLength(8);
    const found = await getMobileServerWithDevices(installationId, guid);
    expect(found?.devices).toHaveLength(4);
    expect(found?.server.deviceCount).toBe(4);
  });

  it('leaves no orphaned device when a removal races with registrations', async () => {
    for (let round = 0; round < 5; round++) {
      const installationId = randomUUID();
      const guid = randomUUID();
      await putMobileServer(installationId, guid, null, now());
      const results = await Promise.all([
        ...Array.from({ length: 8 }, () => putPushDevice(device(installationId, guid), now(), 1000)),
        deleteMobileServer(installationId, guid),
        ...Array.from({ length: 8 }, () => putPushDevice(device(installationId, guid), now(), 1000)),
      ]);
      expect(results[8]).toBe(true);
      expect(await itemsUnder(installationId, guid)).toEqual([]);
    }
  });

  it('finishes a removal that stopped half way on the next registration or removal', async () => {
    const installationId = randomUUID();
    const guid = randomUUID();
    await putMobileServer(installationId, guid, 'host', now());
    for (let i = 0; i < 3; i++) expect(await putPushDevice(device(installationId, guid), now(), 1000)).toBe('ok');
    // A removal that set its tombstone and then stopped.
    const { client, tableName } = store();
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.mobileServer(installationId, guid),
        UpdateExpression: 'SET deleting = :true',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
    expect(await getMobileServer(installationId, guid)).toBeUndefined();
    expect(await putPushDevice(device(installationId, guid), now(), 1000)).toBe('mobile_server_not_found');

    await putMobileServer(installationId, guid, 'again', now());
    const found = await getMobileServerWithDevices(installationId, guid);
    expect(found?.server).toMatchObject({ hostname: 'again', deviceCount: 0, emails: [] });
    expect(found?.devices).toEqual([]);
    expect(await itemsUnder(installationId, guid)).toHaveLength(1);
  });

  it('cleans up leftovers on a repeated removal', async () => {
    const installationId = randomUUID();
    const guid = randomUUID();
    await putMobileServer(installationId, guid, null, now());
    expect(await putPushDevice(device(installationId, guid), now(), 1000)).toBe('ok');
    const { client, tableName } = store();
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.mobileServer(installationId, guid),
        UpdateExpression: 'SET deleting = :true',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
    expect(await deleteMobileServer(installationId, guid)).toBe(true);
    expect(await itemsUnder(installationId, guid)).toEqual([]);
    expect(await deleteMobileServer(installationId, guid)).toBe(false);
  });
});
