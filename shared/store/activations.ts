import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { byCustomer, byOwner, keys } from './keys';
import type { InstallationRecord } from './records';

/** Why an allocation did not commit; the use case re-reads and decides (retry or refuse). */
export class AllocationNotCommitted extends Error {
  constructor(readonly reason: 'license_changed' | 'installation_changed' | 'contention') {
    super(`allocation not committed: ${reason}`);
  }
}

export interface AllocationBounds {
  slc: string;
  /** The entitlement the plan was made against; a concurrent change of it forces a new plan. */
  entitledDeviceLicenses: number;
  deltaDeviceLicenses: number;
  deltaDevices: number;
  /** Edition cap of activated devices for the SLC, or null. */
  maxActivatedDevices: number | null;
  /** Single-installation editions: the SLC must have no other installation. */
  singleInstallation: boolean;
}

export type InstallationAllocation =
  | { kind: 'new'; record: InstallationRecord }
  | {
      kind: 'existing';
      installationId: string;
      expectedRevision: number;
      allocatedDeviceLicenses: number;
      activatedDevices: number;
      deviceGroups: string[];
      lease: { owner: string; until: number };
      now: number;
    };

/**
 * The check-and-increment of §5.5 in one transaction: the license's counters move by the plan's
 * delta only while the result stays within the entitlement (and the edition's caps), and the
 * installation's own allocation moves with them, so the license's usage is always the sum of its
 * installations' allocations. The installation also takes its activation lease here, and names
 * the device groups its devices are about to be written to.
 */
export async function commitAllocation(bounds: AllocationBounds, installation: InstallationAllocation): Promise<void> {
  const { client, tableName } = store();
  const isNew = installation.kind === 'new';
  const grows = isNew || bounds.deltaDeviceLicenses > 0 || bounds.deltaDevices > 0;
  // Only growth needs an active license: an allocation that shrinks back to what is stored is
  // committed on a license revoked meanwhile too.
  const conditions = [...(grows ? ['#status = :active'] : []), 'entitledDeviceLicenses = :entitled', 'usedDeviceLicenses <= :maxUsedBefore'];
  const values: Record<string, unknown> = {
    ...(grows ? { ':active': 'active' } : {}),
    ':entitled': bounds.entitledDeviceLicenses,
    ':maxUsedBefore': bounds.entitledDeviceLicenses - bounds.deltaDeviceLicenses,
    ':deltaLicenses': bounds.deltaDeviceLicenses,
    ':deltaDevices': bounds.deltaDevices,
    ':deltaInstallations': isNew ? 1 : 0,
  };
  if (bounds.maxActivatedDevices !== null) {
    conditions.push('activatedDevices <= :maxDevicesBefore');
    values[':maxDevicesBefore'] = bounds.maxActivatedDevices - bounds.deltaDevices;
  }
  if (isNew && bounds.singleInstallation) {
    conditions.push('installationCount < :one');
    values[':one'] = 1;
  }

  const installationWrite = isNew
    ? {
        Put: {
          TableName: tableName,
          Item: {
            ...keys.installation(installation.record.installationId),
            type: 'installation',
            gsi1pk: byOwner.licenseInstallations(installation.record.slc),
            gsi1sk: `${installation.record.createdAt}#${installation.record.installationId}`,
            // Listed as unfinished until its first activation is recorded (see finalizeActivation).
            gsi2pk: byCustomer.unfinishedInstallations(installation.record.slc),
            gsi2sk: installation.record.installationId,
            ...installation.record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      }
    : {
        Update: {
          TableName: tableName,
          Key: keys.installation(installation.installationId),
          UpdateExpression:
            'SET allocatedDeviceLicenses = :allocated, activatedDevices = :devices, deviceGroups = :groups, revision = revision + :one, lease = :lease',
          ConditionExpression:
            '#status = :active AND revision = :revision AND (attribute_not_exists(lease) OR lease = :null OR lease.#owner = :owner OR lease.#until < :now)',
          ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner', '#until': 'until' },
          ExpressionAttributeValues: {
            ':allocated': installation.allocatedDeviceLicenses,
            ':devices': installation.activatedDevices,
            ':groups': installation.deviceGroups,
            ':one': 1,
            ':lease': installation.lease,
            ':active': 'active',
            ':revision': installation.expectedRevision,
            ':null': null,
            ':owner': installation.lease.owner,
            ':now': installation.now,
          },
        },
      };

  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: keys.license(bounds.slc),
              UpdateExpression:
                'SET usedDeviceLicenses = usedDeviceLicenses + :deltaLicenses, activatedDevices = activatedDevices + :deltaDevices, ' +
                'installationCount = installationCount + :deltaInstallations',
              ConditionExpression: conditions.join(' AND '),
              ...(grows ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
              ExpressionAttributeValues: values,
            },
          },
          installationWrite,
        ],
      }),
    );
  } catch (error) {
    throw translateCancellation(error);
  }
}

export function translateCancellation(error: unknown): unknown {
  if (!(error instanceof TransactionCanceledException)) return error;
  const reasons = error.CancellationReasons ?? [];
  if (reasons[0]?.Code === 'ConditionalCheckFailed') return new AllocationNotCommitted('license_changed');
  if (reasons[1]?.Code === 'ConditionalCheckFailed') return new AllocationNotCommitted('installation_changed');
  return new AllocationNotCommitted('contention');
}

export interface FinalizeActivation {
  installationId: string;
  leaseOwner: string;
  fields: Partial<InstallationRecord>;
  extraItems: Array<{ put: Record<string, unknown> } | { delete: { pk: string; sk: string } }>;
}

/** Records the activation on the installation and releases its lease, with the audit event. */
export async function finalizeActivation(input: FinalizeActivation): Promise<void> {
  const { client, tableName } = store();
  const names: Record<string, string> = { '#owner': 'owner' };
  const values: Record<string, unknown> = { ':owner': input.leaseOwner, ':null': null };
  const assignments = ['lease = :null'];
  Object.entries(input.fields).forEach(([field, value], index) => {
    names[`#f${index}`] = field;
    values[`:f${index}`] = value;
    assignments.push(`#f${index} = :f${index}`);
  });
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: keys.installation(input.installationId),
              UpdateExpression: `SET ${assignments.join(', ')} REMOVE gsi2pk, gsi2sk`,
              ConditionExpression: 'lease.#owner = :owner',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            },
          },
          ...input.extraItems.map((item) =>
            'put' in item
              ? { Put: { TableName: tableName, Item: item.put } }
              : { Delete: { TableName: tableName, Key: item.delete } },
          ),
        ],
      }),
    );
  } catch (error) {
    throw translateCancellation(error);
  }
}
