import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { MAX_MOBILE_SERVERS_PER_INSTALLATION } from '../../shared/domain/notifications';
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
    await putMobileServer(installationId, guid, null, now(), MAX_MOBILE_SERVERS_PER_INSTALLATION);
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
      await putMobileServer(installationId, guid, null, now(), MAX_MOBILE_SERVERS_PER_INSTALLATION);
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
    await putMobileServer(installationId, guid, 'host', now(), MAX_MOBILE_SERVERS_PER_INSTALLATION);
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

    await putMobileServer(installationId, guid, 'again', now(), MAX_MOBILE_SERVERS_PER_INSTALLATION);
    const found = await getMobileServerWithDevices(installationId, guid);
    expect(found?.server).toMatchObject({ hostname: 'again', deviceCount: 0, emails: [] });
    expect(found?.devices).toEqual([]);
    expect(await itemsUnder(installationId, guid)).toHaveLength(1);
  });

  it('cleans up leftovers on a repeated removal', async () => {
    const installationId = randomUUID();
    const guid = randomUUID();
    await putMobileServer(installationId, guid, null, now(), MAX_MOBILE_SERVERS_PER_INSTALLATION);
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

  it('never lets concurrent registrations exceed the mobile server cap, and a removal frees a place', async () => {
    const installationId = randomUUID();
    const guids = Array.from({ length: 16 }, () => randomUUID());
    const outcomes = await Promise.all(guids.map((guid) => putMobileServer(installationId, guid, null, now(), 5)));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'mobile_server_limit_reached')).toHaveLength(11);
    const registered = guids.filter((_, index) => outcomes[index] === 'ok');
    const { client, tableName } = store();
    const count = async () =>
      (await client.send(new GetCommand({ TableName: tableName, Key: keys.mobileServerCount(installationId), ConsistentRead: true }))).Item?.count;
    expect(await count()).toBe(5);
    // Re-registering a counted server is no new server.
    expect(await putMobileServer(installationId, registered[0]!, 'renamed', now(), 5)).toBe('ok');
    expect(await deleteMobileServer(installationId, registered[1]!)).toBe(true);
    expect(await count()).toBe(4);
    const late = guids.filter((_, index) => outcomes[index] !== 'ok');
    expect(await putMobileServer(installationId, late[0]!, null, now(), 5)).toBe('ok');
    expect(await putMobileServer(installationId, late[1]!, null, now(), 5)).toBe('mobile_server_limit_reached');
    expect(await count()).toBe(5);
  });
});
