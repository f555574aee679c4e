import { ConditionalCheckFailedException, TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './query';
import { auditEventItem } from './events';
import { store } from './client';
import { byCustomer, byOwner, keys } from './keys';
import { NOTHING_HELD, type PoolKey } from '../domain/add-on-pools';
import { addOnHoldings, heldAddOnsOf } from './add-on-holdings';
import { addOnPoolAttribute } from './licenses';
import type { Deployment, InstallationRecord } from './records';
import { decodeDeviceGroups, encodeDeviceGroups, type StoredDeviceGroups } from './device-group-sets';
import { writeIf } from './conditional-write';

export type { InstallationRecord };

/** A new installation as its first activation commits it: active, holding nothing yet, with the lease given. */
export function createInstallationRecord(input: {
  installationId: string;
  slc: string;
  lease: { owner: string; until: number } | null;
  deployment: Deployment;
  createdAt: string;
  /** The management server id the installation claims on its SLC (a plain first activation); null for none (the AMI path). */
  managementServerClaim: string | null;
}): InstallationRecord {
  return {
    installationId: input.installationId,
    slc: input.slc,
    status: 'active',
    credentialVersion: 1,
    allocatedDeviceLicenses: 0,
    activatedDevices: 0,
    deviceGroups: [],
    revision: 0,
    lease: input.lease,
    managementServer: null,
    recordingServers: [],
    videoPush: { users: 0, licensed: 0 },
    addOnsInUse: {},
    activationStatus: 'activated',
    integrations: [],
    deployment: input.deployment,
    lastActivation: null,
    lastSeenAt: null,
    firstSignedRequestAt: null,
    managementServerClaim: input.managementServerClaim,
    createdAt: input.createdAt,
  };
}

/**
 * The stored installation item: listed under its SLC (gsi1) and, while `unfinished` (its first
 * activation not yet recorded), on the SLC's sparse list of unfinished installations (gsi2).
 */
export function installationItem(record: InstallationRecord, options: { unfinished: boolean }): Record<string, unknown> {
  return {
    ...keys.installation(record.installationId),
    type: 'installation',
    gsi1pk: byOwner.licenseInstallations(record.slc),
    gsi1sk: `${record.createdAt}#${record.installationId}`,
    ...(options.unfinished ? { gsi2pk: byCustomer.unfinishedInstallations(record.slc), gsi2sk: record.installationId } : {}),
    ...record,
    deviceGroups: encodeDeviceGroups(record.deviceGroups),
  };
}

/** An installation as stored, as its record (the device groups in either stored form). */
export const installationOf = (item: Record<string, unknown>): InstallationRecord =>
  ({ ...item, deviceGroups: decodeDeviceGroups(item.deviceGroups as StoredDeviceGroups | undefined) }) as unknown as InstallationRecord;


export async function getInstallation(installationId: string): Promise<InstallationRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: keys.installation(installationId), ConsistentRead: true }),
  );
  return Item ? installationOf(Item) : undefined;
}

/** Gives up an activation lease early (best effort; it also expires by itself). */
export async function releaseLease(installationId: string, owner: string): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.installation(installationId),
      UpdateExpression: 'SET lease = :null',
      ConditionExpression: 'lease.#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':null': null, ':owner': owner },
    }),
  );
}

/**
 * The condition under which a request may take an installation's lease: none, given up, its own, or
 * run out. Names `#owner`, `#until`; values `:null`, `:owner`, `:now`.
 */
export const LEASE_TAKEABLE = '(attribute_not_exists(lease) OR lease = :null OR lease.#owner = :owner OR lease.#until < :now)';

/**
 * Takes an installation's activation lease before a pass, without changing anything else, and
 * answers the installation as the lease found it (no read of its own needed); `held` while another
 * request's lease is live (or the installation is no longer active).
 */
export async function takeLease(installationId: string, owner: string, until: number, now: number): Promise<InstallationRecord | 'held'> {
  const { client, tableName } = store();
  try {
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.installation(installationId),
        UpdateExpression: 'SET lease = :lease',
        ConditionExpression: `#status = :active AND ${LEASE_TAKEABLE}`,
        ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner', '#until': 'until' },
        ExpressionAttributeValues: { ':lease': { owner, until }, ':active': 'active', ':null': null, ':owner': owner, ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return installationOf(Attributes!);
  } catch (error) {
    // A transaction on the installation at this moment is another request's turn as well.
    if (error instanceof ConditionalCheckFailedException || error instanceof TransactionConflictException) return 'held';
    throw error;
  }
}

/** The update a lease renewal makes, and nothing else does (fault injection tells renewals apart by it). */
export const LEASE_RENEWAL_UPDATE = 'SET lease.#until = :until';

/** Extends an activation lease its owner still holds; `lost` once it is no longer the owner's (it expired and was taken). */
export async function renewLease(installationId: string, owner: string, until: number): Promise<'renewed' | 'lost'> {
  const { tableName } = store();
  const written = await writeIf(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.installation(installationId),
      UpdateExpression: LEASE_RENEWAL_UPDATE,
      ConditionExpression: 'lease.#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner', '#until': 'until' },
      ExpressionAttributeValues: { ':owner': owner, ':until': until },
    }),
  );
  return written ? 'renewed' : 'lost';
}

/**
 * Settles an installation whose activation (a first one or a re-activation) stopped between its commit and its record (the
 * process died, or the request failed and gave up its lease): its holdings drop to what it holds
 * (`settled`, never more than before), the license's counters by the same amounts, in one
 * transaction, and it leaves the unfinished list. `changed`: it is not as read, or a live lease holds it.
 */
export async function settleInstallation(
  installation: InstallationRecord,
  settled: { allocatedDeviceLicenses: number; activatedDevices: number },
  now: number,
): Promise<'settled' | 'changed'> {
  const { client, tableName } = store();
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: keys.installation(installation.installationId),
              UpdateExpression: 'SET allocatedDeviceLicenses = :licenses, activatedDevices = :devices, revision = revision + :one, lease = :null REMOVE gsi2pk, gsi2sk',
              ConditionExpression: '#status = :active AND revision = :revision AND (attribute_not_exists(lease) OR lease = :null OR lease.#until < :now)',
              ExpressionAttributeNames: { '#status': 'status', '#until': 'until' },
              ExpressionAttributeValues: {
                ':licenses': settled.allocatedDeviceLicenses,
                ':devices': settled.activatedDevices,
                ':one': 1,
                ':null': null,
                ':active': 'active',
                ':revision': installation.revision,
                ':now': now,
              },
            },
          },
          {
            Update: {
              TableName: tableName,
              Key: keys.license(installation.slc),
              UpdateExpression: 'SET usedDeviceLicenses = usedDeviceLicenses - :licenses, activatedDevices = activatedDevices - :devices',
              ExpressionAttributeValues: {
                ':licenses': installation.allocatedDeviceLicenses - settled.allocatedDeviceLicenses,
                ':devices': installation.activatedDevices - settled.activatedDevices,
              },
            },
          },
        ],
      }),
    );
    return 'settled';
  } catch (error) {
    if (error instanceof TransactionCanceledException) return 'changed';
    throw error;
  }
}

/**
 * Records that the installation has made its first signed request that verified (its secret has
 * arrived): from then on a repeated first activation of its management server is 409
 * `installation_exists` (§5.1 rev 2). One conditional update, made only while it is unset; a
 * concurrent request that set it first is no failure.
 */
export async function recordFirstSignedRequest(installationId: string, at: string): Promise<void> {
  const { tableName } = store();
  await writeIf(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.installation(installationId),
      UpdateExpression: 'SET firstSignedRequestAt = :at',
      ConditionExpression: 'attribute_exists(pk) AND firstSignedRequestAt = :null',
      ExpressionAttributeValues: { ':at': at, ':null': null },
    }),
  );
}

export async function recordLastSeen(installationId: string, at: string): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.installation(installationId),
      UpdateExpression: 'SET lastSeenAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': at },
    }),
  );
}

/**
 * Retires an installation: its allocation leaves the license's counters in the same transaction,
 * with the `installation.released` event. It is listed as unfinished (gsi2) until its devices are
 * released too (finishRelease), so that a release cut short is completed by the next activation.
 * `changed`: the installation is not as read (an activation holds it, or it moved on): read it again.
 */
export async function retireInstallation(installation: InstallationRecord, by: { actor: string; sourceIp: string; at: string }): Promise<'retired' | 'changed'> {
  const { client, tableName } = store();
  // The add-on quantities and the failover pair it holds go back to the SLC's pools with it.
  const held = heldAddOnsOf(installation);
  const heldKeys = Object.keys(held.quantities) as PoolKey[];
  const addOnNames = Object.fromEntries(heldKeys.map((key, i) => [`#pool${i}`, addOnPoolAttribute(key)]));
  const addOnValues = Object.fromEntries(heldKeys.map((key, i) => [`:pool${i}`, held.quantities[key]!]));
  const addOnAssignments = heldKeys.map((_key, i) => `, #pool${i} = #pool${i} - :pool${i}`).join('') + (held.managementServerFailover ? ', failoverInstallationId = :noHolder' : '');
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: keys.installation(installation.installationId),
              UpdateExpression:
                'SET #status = :retired, allocatedDeviceLicenses = :zero, activatedDevices = :zero, revision = revision + :one, lease = :null, gsi2pk = :unfinished, gsi2sk = :id' +
                Object.keys(addOnHoldings(NOTHING_HELD)).map((_attribute, i) => `, #held${i} = :zero`).join(''),
              ConditionExpression:
                '#status = :active AND revision = :revision AND (attribute_not_exists(lease) OR lease = :null OR lease.#until < :now)',
              ExpressionAttributeNames: {
                '#status': 'status',
                '#until': 'until',
                ...Object.fromEntries(Object.keys(addOnHoldings(NOTHING_HELD)).map((attribute, i) => [`#held${i}`, attribute])),
              },
              ExpressionAttributeValues: {
                ':now': Date.parse(by.at),
                ':retired': 'retired',
                ':active': 'active',
                ':zero': 0,
                ':one': 1,
                ':null': null,
                ':revision': installation.revision,
                ':unfinished': byCustomer.unfinishedInstallations(installation.slc),
                ':id': installation.installationId,
              },
            },
          },
          {
            Update: {
              TableName: tableName,
              Key: keys.license(installation.slc),
              UpdateExpression:
                `SET usedDeviceLicenses = usedDeviceLicenses - :licenses, activatedDevices = activatedDevices - :devices, installationCount = installationCount - :one${addOnAssignments}`,
              ...(heldKeys.length > 0 ? { ExpressionAttributeNames: addOnNames } : {}),
              ExpressionAttributeValues: {
                ':licenses': installation.allocatedDeviceLicenses,
                ':devices': installation.activatedDevices,
                ':one': 1,
                ...addOnValues,
                ...(held.managementServerFailover ? { ':noHolder': null } : {}),
              },
            },
          },
          // Its management server's claim goes with it: a first activation of that server creates a new installation.
          ...(installation.managementServerClaim
            ? [{ Delete: { TableName: tableName, Key: keys.managementServerClaim(installation.slc, installation.managementServerClaim) } }]
            : []),
          {
            Put: {
              TableName: tableName,
              Item: auditEventItem(installation.slc, {
                at: by.at,
                type: 'installation.released',
                actor: by.actor,
                sourceIp: by.sourceIp,
                details: {
                  installationId: installation.installationId,
                  deviceLicenses: installation.allocatedDeviceLicenses,
                  devices: installation.activatedDevices,
                  addOns: held.quantities,
                  managementServerFailover: held.managementServerFailover,
                },
              }),
            },
          },
        ],
      }),
    );
    return 'retired';
  } catch (error) {
    if (error instanceof TransactionCanceledException) return 'changed';
    throw error;
  }
}

/** A retired installation whose devices are all released is no longer listed as unfinished. */
export async function finishRelease(installationId: string): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.installation(installationId),
      UpdateExpression: 'REMOVE gsi2pk, gsi2sk',
      ConditionExpression: '#status = :retired',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':retired': 'retired' },
    }),
  );
}

/** Bumps the credential version (the old secret stops working); returns the new version. */
export async function resetCredentials(installation: InstallationRecord, by: { actor: string; sourceIp: string; at: string }): Promise<number> {
  const { client, tableName } = store();
  const version = installation.credentialVersion + 1;
  await client.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: tableName,
            Key: keys.installation(installation.installationId),
            UpdateExpression: 'SET credentialVersion = :version',
            ConditionExpression: '#status = :active AND credentialVersion = :previous',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':version': version, ':previous': installation.credentialVersion, ':active': 'active' },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: auditEventItem(installation.slc, {
              at: by.at,
              type: 'installation.credentials_reset',
              actor: by.actor,
              sourceIp: by.sourceIp,
              details: { installationId: installation.installationId },
            }),
          },
        },
      ],
    }),
  );
  return version;
}

/**
 * Installations of an SLC whose first activation has not been recorded, whose activation committed
 * but has not been recorded yet (it holds or held a lease), or whose release has not finished (sparse, on gsi2).
 */
export async function listUnfinishedInstallations(slc: string): Promise<InstallationRecord[]> {
  const items = await queryAll<Record<string, unknown>>({
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': byCustomer.unfinishedInstallations(slc) },
  });
  return items.map(installationOf);
}

/** The installations of an SLC (gsi1), retired ones included. */
export async function listLicenseInstallations(slc: string): Promise<InstallationRecord[]> {
  const items = await queryAll<Record<string, unknown>>({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': byOwner.licenseInstallations(slc) },
  });
  return items.map(installationOf);
}
