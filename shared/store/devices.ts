import { BatchGetCommand, TransactWriteCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './query';
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
  return queryAll<DeviceRecord>({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': byOwner.installationDevices(installationId) },
  });
}

export type DeviceChange =
  | { kind: 'activate'; mac: string; deviceKey: string; licenses: number }
  | { kind: 'release'; mac: string; deletes: boolean };

/**
 * The device item after a change, computed from the item as read (undefined when the device is
 * new to the SLC). A device the installation did not hold before counts one more registration;
 * a release that removes the device from the installation counts one more deletion.
 */
export function nextDeviceItem(
  slc: string,
  installationId: string,
  current: DeviceRecord | undefined,
  change: DeviceChange,
  at: string,
): DeviceRecord & { revision: number } {
  const revision = ((current as { revision?: number } | undefined)?.revision ?? 0) + 1;
  if (change.kind === 'activate') {
    const registers = current?.installationId !== installationId;
    return {
      slc,
      mac: change.mac,
      deviceKey: change.deviceKey,
      installationId,
      lastInstallationId: installationId,
      status: 'activated',
      licenses: change.licenses,
      registrations: (current?.registrations ?? 0) + (registers ? 1 : 0),
      deletions: current?.deletions ?? 0,
      firstActivatedAt: current?.firstActivatedAt ?? at,
      lastChangedAt: at,
      revision,
    };
  }
  if (!current) throw new Error(`release of unknown device ${change.mac}`);
  return {
    ...current,
    installationId: null,
    status: 'released',
    deletions: current.deletions + (change.deletes ? 1 : 0),
    lastChangedAt: at,
    revision,
  };
}

/**
 * Writes device changes of one installation, 100 per transaction. Each item is written whole from
 * the state read before, on condition that nobody changed it since (its revision), so a camera is
 * never held by two installations and no count is lost.
 */
export async function writeDeviceChanges(
  slc: string,
  installationId: string,
  changes: ReadonlyArray<{ change: DeviceChange; current: DeviceRecord | undefined }>,
  at: string,
): Promise<void> {
  const { client, tableName } = store();
  await inParallel(chunk(changes, 100), PARALLEL_REQUESTS, async (part) => {
    await client.send(
      new TransactWriteCommand({
        TransactItems: part.map(({ change, current }) => {
          const { installationId: holder, ...item } = nextDeviceItem(slc, installationId, current, change, at);
          const previousRevision = (current as { revision?: number } | undefined)?.revision;
          return {
            Put: {
              TableName: tableName,
              Item: {
                ...keys.device(slc, change.mac),
                type: 'device',
                ...item,
                ...(holder ? { installationId: holder, gsi1pk: byOwner.installationDevices(holder), gsi1sk: change.mac } : {}),
              },
              ConditionExpression:
                current === undefined
                  ? 'attribute_not_exists(pk)'
                  : previousRevision === undefined
                    ? 'attribute_not_exists(revision)'
                    : 'revision = :revision',
              ...(previousRevision === undefined ? {} : { ExpressionAttributeValues: { ':revision': previousRevision } }),
            },
          };
        }),
      }),
    );
  });
}
