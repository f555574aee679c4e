import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { retryWithBackoff, RETRY, RETRY_NOW, type BackoffPolicy } from '../retry';
import { store } from './client';
import { queryAll } from './query';
import { keys, MOBILE_SERVER_PREFIX } from './keys';
import type { MobileServerRecord, PushDeviceRecord, PushPlatform } from './records';
import { writeIf } from './conditional-write';

/**
 * Mobile servers and their push devices live in the installation's partition:
 * `MOBILESERVER#<guid>` and `MOBILESERVER#<guid>#DEVICE#<guid>`, so one Query by prefix reads a
 * mobile server with its devices and another isolates one installation's registrations.
 *
 * Removal is a tombstone (`deleting`) first, so that no device can be added while the devices are
 * swept; a removal that stops half way is finished by the next PUT or DELETE of that mobile server.
 */

type Stored<T> = T & { pk: string; sk: string; type: string; deleting?: boolean };

const MOBILE_SERVER_TYPE = 'mobile_server';
const PUSH_DEVICE_TYPE = 'push_device';

function strip<T>(item: Stored<T>): T {
  const { pk: _pk, sk: _sk, type: _type, deleting: _deleting, ...record } = item;
  return record as unknown as T;
}

/** Writes that lost a race with another transaction are tried again after a jittered pause. */
const raced = (what: string): BackoffPolicy => ({ attempts: 8, baseMs: 10, capMs: 200, exhausted: () => new Error(what) });

const prefixOf = (guid: string) => `${MOBILE_SERVER_PREFIX}${guid}`;

/** Everything stored under one mobile server (the server item and its devices), all pages. */
async function queryUnder(installationId: string, guid: string): Promise<Array<Record<string, unknown>>> {
  return queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.installation(installationId).pk, ':prefix': prefixOf(guid) },
    ConsistentRead: true,
  });
}

async function batchDelete(itemKeys: Array<{ pk: string; sk: string }>): Promise<void> {
  const { client, tableName } = store();
  for (let i = 0; i < itemKeys.length; i += 25) {
    let requests: Array<{ DeleteRequest: { Key: Record<string, unknown> } }> = itemKeys
      .slice(i, i + 25)
      .map((key) => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } }));
    // Unprocessed deletes (throttling) are sent again after a pause.
    await retryWithBackoff({ attempts: 10, baseMs: 25, capMs: 1000, exhausted: () => new Error('batch delete did not complete') }, async () => {
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      return requests.length > 0 ? RETRY : undefined;
    });
  }
}

export interface MobileServerWithDevices {
  server: MobileServerRecord;
  devices: PushDeviceRecord[];
}

/** A mobile server with its devices (devices ordered by GUID); undefined when not registered. */
export async function getMobileServerWithDevices(installationId: string, guid: string): Promise<MobileServerWithDevices | undefined> {
  const items = (await queryUnder(installationId, guid)) as unknown as Array<Stored<MobileServerRecord> | Stored<PushDeviceRecord>>;
  const server = items.find((item) => item.type === MOBILE_SERVER_TYPE) as Stored<MobileServerRecord> | undefined;
  if (!server || server.deleting) return undefined;
  const devices = items
    .filter((item) => item.type === PUSH_DEVICE_TYPE)
    .map((item) => strip(item as Stored<PushDeviceRecord>))
    .sort((a, b) => a.guid.localeCompare(b.guid));
  return { server: strip(server), devices };
}

export async function getMobileServer(installationId: string, guid: string): Promise<MobileServerRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: keys.mobileServer(installationId, guid), ConsistentRead: true }),
  );
  const item = Item as Stored<MobileServerRecord> | undefined;
  return item && !item.deleting ? strip(item) : undefined;
}

/** Removes device items left under a mobile server whose removal did not finish. */
async function sweepDevices(installationId: string, guid: string): Promise<number> {
  const leftovers = (await queryUnder(installationId, guid)).filter((item) => item.type === PUSH_DEVICE_TYPE);
  await batchDelete(leftovers as Array<{ pk: string; sk: string }>);
  return leftovers.length;
}

export type PutMobileServerOutcome = 'ok' | 'mobile_server_limit_reached';

/** Which of a transaction's items failed its condition. */
const failedConditions = (error: TransactionCanceledException) =>
  (error.CancellationReasons ?? []).map((reason) => reason.Code === 'ConditionalCheckFailed');

/**
 * Registers a mobile server or replaces its hostname; its devices and e-mails stay. A new
 * registration starts empty. A mobile server that is new to the installation (not one whose
 * removal is still being finished, which is still counted) is counted in the same transaction,
 * on condition that the installation stays within `maxServers`.
 */
export async function putMobileServer(
  installationId: string,
  guid: string,
  hostname: string | null,
  now: string,
  maxServers: number,
): Promise<PutMobileServerOutcome> {
  const { client, tableName } = store();
  return retryWithBackoff<PutMobileServerOutcome>({ attempts: 5, baseMs: 10, capMs: 200, exhausted: () => new Error('mobile server registration kept conflicting') }, async () => {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: keys.mobileServer(installationId, guid), ConsistentRead: true }),
    );
    const existing = Item as Stored<MobileServerRecord> | undefined;
    // A write whose condition no longer holds met a registration or removal made meanwhile: read again at once.
    if (existing && !existing.deleting) {
      const updated = await writeIf(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.mobileServer(installationId, guid),
          UpdateExpression: 'SET hostname = :hostname, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deleting)',
          ExpressionAttributeValues: { ':hostname': hostname, ':now': now },
        }),
      );
      return updated ? 'ok' : RETRY_NOW;
    }
    await sweepDevices(installationId, guid);
    const record: MobileServerRecord = { installationId, guid, hostname, emails: [], deviceCount: 0, createdAt: now, updatedAt: now };
    const item = { ...keys.mobileServer(installationId, guid), type: MOBILE_SERVER_TYPE, ...record };
    if (existing) {
      // Over a tombstone: the removal being finished has not been counted down yet.
      const replaced = await writeIf(
        new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'deleting = :true', ExpressionAttributeValues: { ':true': true } }),
      );
      return replaced ? 'ok' : RETRY_NOW;
    }
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Update: {
                TableName: tableName,
                Key: keys.mobileServerCount(installationId),
                UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one',
                ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
                ExpressionAttributeNames: { '#count': 'count' },
                ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': maxServers },
              },
            },
          ],
        }),
      );
      return 'ok';
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const [serverExists, countFull] = failedConditions(error);
        if (countFull && !serverExists) return 'mobile_server_limit_reached';
        // A transaction conflict is tried again after a pause; a server registered meanwhile at once.
        return !serverExists && !countFull ? RETRY : RETRY_NOW;
      }
      throw error;
    }
  });
}

/** Removes a mobile server with its devices and e-mails. False when nothing was registered. */
export async function deleteMobileServer(installationId: string, guid: string): Promise<boolean> {
  const { tableName } = store();
  const found = await writeIf(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.mobileServer(installationId, guid),
      UpdateExpression: 'SET deleting = :true, emails = :none',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':true': true, ':none': [] },
    }),
  );
  const swept = await sweepDevices(installationId, guid);
  if (found) await deleteTombstone(installationId, guid);
  return found || swept > 0;
}

/** Removes a swept tombstone and counts the mobile server down, in one transaction. */
async function deleteTombstone(installationId: string, guid: string): Promise<void> {
  const { client, tableName } = store();
  await retryWithBackoff(raced('mobile server removal kept conflicting'), async () => {
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: tableName,
                Key: keys.mobileServer(installationId, guid),
                ConditionExpression: 'deleting = :true',
                ExpressionAttributeValues: { ':true': true },
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: keys.mobileServerCount(installationId),
                UpdateExpression: 'SET #count = #count - :one',
                ConditionExpression: '#count > :zero',
                ExpressionAttributeNames: { '#count': 'count' },
                ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
              },
            },
          ],
        }),
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [notTombstone, nothingCounted] = failedConditions(error);
      // A PUT that re-registered the server in the meantime wins (it is still counted).
      if (notTombstone) return undefined;
      if (nothingCounted) {
        // Registered before the count existed: remove it without counting down.
        await writeIf(
          new DeleteCommand({
            TableName: tableName,
            Key: keys.mobileServer(installationId, guid),
            ConditionExpression: 'deleting = :true',
            ExpressionAttributeValues: { ':true': true },
          }),
        );
        return undefined;
      }
      return RETRY;
    }
  });
}

export type PutDeviceOutcome = 'ok' | 'mobile_server_not_found' | 'device_limit_reached';

/**
 * Registers a push device (or replaces its platform and token). A new device and the mobile
 * server's device count change in one transaction, conditional on the server being registered
 * and under `maxDevices`.
 */
export async function putPushDevice(
  device: { installationId: string; mobileServerGuid: string; guid: string; platform: PushPlatform; pushToken: string },
  now: string,
  maxDevices: number,
): Promise<PutDeviceOutcome> {
  const { client, tableName } = store();
  const serverKey = keys.mobileServer(device.installationId, device.mobileServerGuid);
  const deviceKey = keys.pushDevice(device.installationId, device.mobileServerGuid, device.guid);
  return retryWithBackoff<PutDeviceOutcome>(raced('push device registration kept conflicting'), async () => {
    try {
      const record: PushDeviceRecord = { ...device, createdAt: now, updatedAt: now };
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...deviceKey, type: PUSH_DEVICE_TYPE, ...record },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: serverKey,
                UpdateExpression: 'SET deviceCount = deviceCount + :one, updatedAt = :now',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deleting) AND deviceCount < :max',
                ExpressionAttributeValues: { ':one': 1, ':now': now, ':max': maxDevices },
              },
            },
          ],
        }),
      );
      return 'ok';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [deviceReason, serverReason] = error.CancellationReasons ?? [];
      if (deviceReason?.Code !== 'ConditionalCheckFailed' && serverReason?.Code !== 'ConditionalCheckFailed') {
        return RETRY; // a transaction conflict: try again
      }
      if (deviceReason?.Code !== 'ConditionalCheckFailed') {
        const server = await getMobileServer(device.installationId, device.mobileServerGuid);
        return server ? 'device_limit_reached' : 'mobile_server_not_found';
      }
    }
    // The device exists: replace its platform and token while the server stays registered.
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: deviceKey,
                UpdateExpression: 'SET platform = :platform, pushToken = :token, updatedAt = :now',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':platform': device.platform, ':token': device.pushToken, ':now': now },
              },
            },
            {
              ConditionCheck: {
                TableName: tableName,
                Key: serverKey,
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deleting)',
              },
            },
          ],
        }),
      );
      return 'ok';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [, serverReason] = error.CancellationReasons ?? [];
      if (serverReason?.Code === 'ConditionalCheckFailed') return 'mobile_server_not_found';
      // The device went away in the meantime, or a conflict: start over.
      return RETRY;
    }
  });
}

/** Removes one push device. */
export async function deletePushDevice(
  installationId: string,
  mobileServerGuid: string,
  deviceGuid: string,
): Promise<'ok' | 'device_not_found'> {
  const { client, tableName } = store();
  const deviceKey = keys.pushDevice(installationId, mobileServerGuid, deviceGuid);
  return retryWithBackoff<'ok' | 'device_not_found'>(raced('push device removal kept conflicting'), async () => {
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: tableName, Key: deviceKey, ConditionExpression: 'attribute_exists(pk)' } },
            {
              Update: {
                TableName: tableName,
                Key: keys.mobileServer(installationId, mobileServerGuid),
                UpdateExpression: 'SET deviceCount = deviceCount - :one',
                ConditionExpression: 'attribute_exists(pk) AND deviceCount > :zero',
                ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
              },
            },
          ],
        }),
      );
      return 'ok';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [deviceReason, serverReason] = error.CancellationReasons ?? [];
      if (deviceReason?.Code === 'ConditionalCheckFailed') return 'device_not_found';
      if (serverReason?.Code === 'ConditionalCheckFailed') {
        // The server item is gone (a removal is sweeping): the device goes without a count.
        await client.send(new DeleteCommand({ TableName: tableName, Key: deviceKey }));
        return 'ok';
      }
      return RETRY;
    }
  });
}

/** Replaces the notification e-mail set of a registered mobile server. False when not registered. */
export async function putNotificationEmails(installationId: string, guid: string, emails: string[], now: string): Promise<boolean> {
  const { tableName } = store();
  return writeIf(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.mobileServer(installationId, guid),
      UpdateExpression: 'SET emails = :emails, updatedAt = :now',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deleting)',
      ExpressionAttributeValues: { ':emails': emails, ':now': now },
    }),
  );
}

/** The mobile servers of an installation (without their devices). */
export async function listMobileServers(installationId: string): Promise<MobileServerRecord[]> {
  const servers = await queryAll<Stored<MobileServerRecord>>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    FilterExpression: '#type = :type AND attribute_not_exists(deleting)',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: { ':pk': keys.installation(installationId).pk, ':prefix': MOBILE_SERVER_PREFIX, ':type': MOBILE_SERVER_TYPE },
    ConsistentRead: true,
  });
  return servers.map(strip);
}

/** Erases the notification e-mails of one mobile server (personal-data erasure). */
export async function eraseNotificationEmails(installationId: string, guid: string): Promise<void> {
  const { tableName } = store();
  await writeIf(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.mobileServer(installationId, guid),
      UpdateExpression: 'SET emails = :none',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':none': [] },
    }),
  );
}
