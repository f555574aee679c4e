import { BatchGetCommand, QueryCommand, TransactWriteCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { byOwner, keys } from './keys';
import { chunk, inParallel } from './batch';
import type { DeviceRecord } from './records';

const PARALLEL_REQUESTS = 8;

/** The device records of these MACs under one SLC, read consistently (100 keys per request). */
export async function getDevices(slc: string, macs: readonly string[]): Promise<Map<string, DeviceRecord>> {
  const { client, tableName } = store();
  const found = new Map<string, DeviceRecord>();
  await inParallel(chunk(macs, 100), PARALLEL_REQUESTS, async (part) => {
    let pending: Record<string, unknown>[] | undefined = part.map((mac) => keys.device(slc, mac));
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const result: BatchGetCommandOutput = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[tableName] ?? []) found.set(item.mac as string, item as DeviceRecord);
      pending = result.UnprocessedKeys?.[tableName]?.Keys;
    }
  });
  return found;
}

/** The devices an installation holds (gsi1). */
export async function listInstallationDevices(installationId: string): Promise<DeviceRecord[]> {
  const { client, tableName } = store();
  const devices: DeviceRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': byOwner.installationDevices(installationId) },
        ExclusiveStartKey: start,
      }),
    );
    devices.push(...((page.Items ?? []) as DeviceRecord[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return devices;
}

export type DeviceChange =
  | {
      kind: 'activate';
      mac: string;
      deviceKey: string;
      licenses: number;
      /** True when the installation did not hold the device before: a registration is counted. */
      registers: boolean;
    }
  | { kind: 'release'; mac: string; deletes: boolean };

/**
 * Writes device changes of one installation, 100 per transaction. Each write is conditional on
 * the device being free or already held by this installation, so a camera is never held twice.
 */
export async function writeDeviceChanges(slc: string, installationId: string, changes: readonly DeviceChange[], at: string): Promise<void> {
  const { client, tableName } = store();
  await inParallel(chunk(changes, 100), PARALLEL_REQUESTS, async (part) => {
    await client.send(
      new TransactWriteCommand({
        TransactItems: part.map((change) =>
          change.kind === 'activate'
            ? {
                Update: {
                  TableName: tableName,
                  Key: keys.device(slc, change.mac),
                  UpdateExpression:
                    'SET slc = :slc, mac = :mac, deviceKey = :deviceKey, installationId = :installation, lastInstallationId = :installation, ' +
                    '#status = :activated, licenses = :licenses, registrations = if_not_exists(registrations, :zero) + :registers, ' +
                    'deletions = if_not_exists(deletions, :zero), firstActivatedAt = if_not_exists(firstActivatedAt, :at), ' +
                    'lastChangedAt = :at, gsi1pk = :gsi1pk, gsi1sk = :mac',
                  ConditionExpression: 'attribute_not_exists(installationId) OR installationId = :installation',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':slc': slc,
                    ':mac': change.mac,
                    ':deviceKey': change.deviceKey,
                    ':installation': installationId,
                    ':activated': 'activated',
                    ':licenses': change.licenses,
                    ':zero': 0,
                    ':registers': change.registers ? 1 : 0,
                    ':at': at,
                    ':gsi1pk': byOwner.installationDevices(installationId),
                  },
                },
              }
            : {
                Update: {
                  TableName: tableName,
                  Key: keys.device(slc, change.mac),
                  UpdateExpression:
                    'SET #status = :released, deletions = deletions + :deletes, lastChangedAt = :at REMOVE installationId, gsi1pk, gsi1sk',
                  ConditionExpression: 'installationId = :installation',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':released': 'released',
                    ':deletes': change.deletes ? 1 : 0,
                    ':at': at,
                    ':installation': installationId,
                  },
                },
              },
        ),
      }),
    );
  });
}
