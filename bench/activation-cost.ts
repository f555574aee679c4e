import { randomUUID } from 'node:crypto';
import { BatchGetCommand, BatchWriteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { signJws } from '../shared/adapters/signer';
import { batchGet, batchPut, chunk, inParallel } from '../shared/store/batch';
import { store } from '../shared/store/client';
import { encodeDeviceEntry } from '../shared/store/device-entries';
import { deviceAttribute, deviceGroupsOf, type DeviceEntry } from '../shared/store/devices';
import { deviceGroupUnder, deviceGroupWidthFor } from '../shared/domain/device-key';
import { splitGroupItem, widenLicenseGroups } from '../shared/store/device-group-widening';
import { keys } from '../shared/store/keys';
import { getLicense } from '../shared/store/licenses';
import type { LocalStack } from '../local/stack';
import { activationBody, call, callSigned, devices, newLicense, percentile, quiet, round } from './support';

/**
 * Each activation path against its raw floor measured in the same run (the DynamoDB requests it
 * cannot do without, sent directly, with nothing else), and the write units a one-device
 * activation consumes as the SLC it lands in grows (ReturnConsumedCapacity on every write).
 */

const median = (values: number[]) => percentile(values, 50);

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** The license's counters and `items - 1` puts in one conditional transaction, as an activation's commit. */
async function commitLike(slc: string, items: number): Promise<void> {
  const { client, tableName } = store();
  const scratch = `BENCH#${randomUUID()}`;
  await client.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: tableName,
            Key: keys.license(slc),
            UpdateExpression: 'SET usedDeviceLicenses = usedDeviceLicenses + :zero',
            ConditionExpression: 'usedDeviceLicenses <= :max',
            ExpressionAttributeValues: { ':zero': 0, ':max': 1_000_000_000 },
          },
        },
        ...Array.from({ length: items - 1 }, (_, i) => ({ Put: { TableName: tableName, Item: { pk: `${scratch}#${i}`, sk: 'BENCH', at: Date.now() } } })),
      ],
    }),
  );
}

/** The floor of a first activation: a license read plus one conditional transaction of `items` items. */
async function firstActivationFloor(slc: string, items: number): Promise<number> {
  const { client, tableName } = store();
  return timed(async () => {
    await client.send(new GetCommand({ TableName: tableName, Key: keys.license(slc), ConsistentRead: true }));
    await commitLike(slc, items);
  });
}

/**
 * The floor of a first activation as the design must do it (three requests in a row): the license
 * read, then one BatchGetItem of its owner and the device group the device falls in (both named only
 * by the license: its customerId, its secret and width), then the same conditional transaction.
 */
async function firstActivationDesignFloor(slc: string, items: number): Promise<number> {
  const { client, tableName } = store();
  const license = (await getLicense(slc))!;
  const group = deviceGroupUnder(license, '02:be:00:00:00:01');
  return timed(async () => {
    await client.send(new GetCommand({ TableName: tableName, Key: keys.license(slc), ConsistentRead: true }));
    await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [keys.customer(license.customerId), keys.deviceGroup(slc, group)], ConsistentRead: true } } }));
    await commitLike(slc, items);
  });
}

/** The floor of a check-in: a read of one item plus signing a license document of the same devices. */
async function checkInFloor(installationId: string, deviceCount: number): Promise<number> {
  const { client, tableName } = store();
  return timed(async () => {
    await client.send(new GetCommand({ TableName: tableName, Key: keys.installation(installationId), ConsistentRead: true }));
    await signJws({ installationId, devices: Array.from({ length: deviceCount }, (_, i) => ({ mac: `00:00:00:00:00:${i}`, deviceKey: 'DK-000000-000000-000000-000000', licenses: 1 })) });
  });
}

/**
 * The floor of a check-in as the design must do it: the signature check (a read of the installation
 * beside the conditional write that uses the signature up, §2), then the license, its owner and the
 * installation's device group in one BatchGetItem (the license is known only from the installation),
 * then signing.
 */
async function checkInDesignFloor(slc: string, installationId: string, customerId: string, deviceCount: number): Promise<number> {
  const { client, tableName } = store();
  return timed(async () => {
    await Promise.all([
      client.send(new GetCommand({ TableName: tableName, Key: keys.installation(installationId), ConsistentRead: true })),
      client.send(new PutCommand({ TableName: tableName, Item: { pk: `BENCH#${randomUUID()}`, sk: 'SIGNATURE', at: Date.now() }, ConditionExpression: 'attribute_not_exists(pk)' })),
    ]);
    await client.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [keys.license(slc), keys.customer(customerId), keys.deviceGroup(slc, '00')], ConsistentRead: true } } }),
    );
    await signJws({ installationId, devices: Array.from({ length: deviceCount }, (_, i) => ({ mac: `00:00:00:00:00:${i}`, deviceKey: 'DK-000000-000000-000000-000000', licenses: 1 })) });
  });
}

interface Capacity {
  writeUnits: number;
  readUnits: number;
}

/** Adds ReturnConsumedCapacity to every request of the service's client and sums what DynamoDB reports. */
function measureCapacity() {
  const total: Capacity = { writeUnits: 0, readUnits: 0 };
  const { client } = store();
  const name = 'benchCapacity';
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const entries = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Array<{ CapacityUnits?: number; WriteCapacityUnits?: number; ReadCapacityUnits?: number }>;
      const write = /Put|Update|Delete|TransactWrite|BatchWrite/.test(String(context.commandName));
      for (const entry of entries) {
        if (write) total.writeUnits += entry.WriteCapacityUnits ?? entry.CapacityUnits ?? 0;
        else total.readUnits += entry.ReadCapacityUnits ?? entry.CapacityUnits ?? 0;
      }
      return result;
    },
    { step: 'initialize', name, priority: 'low' },
  );
  return {
    take(): Capacity {
      const snapshot = { ...total };
      total.writeUnits = 0;
      total.readUnits = 0;
      return snapshot;
    },
    remove: () => client.middlewareStack.remove(name),
  };
}

/**
 * An SLC already holding `count` devices, written directly in the stored layout (the device-group
 * items of the license as issued, or on 256 groups as a license stored before group widths, one
 * encoded attribute per device in the group its MAC falls in, held by one installation id) with the
 * license's counters to match.
 */
async function seededSlc(stack: LocalStack, count: number, stored: 'as issued' | 'before group widths' = 'as issued'): Promise<string> {
  const slc = await newLicense(stack, count + 100);
  const { client, tableName } = store();
  if (stored === 'before group widths') await client.send(new UpdateCommand({ TableName: tableName, Key: keys.license(slc), UpdateExpression: 'REMOVE deviceGroupWidth' }));
  const license = (await getLicense(slc))!;
  const at = new Date().toISOString();
  const holder = randomUUID();
  const entry: DeviceEntry = { deviceKey: 'DK-000000-000000-000000-000000', installationId: holder, lastInstallationId: holder, status: 'activated', licenses: 1, registrations: 1, deletions: 0, firstActivatedAt: at, lastChangedAt: at, revision: 1 };
  const encoded = encodeDeviceEntry(entry);
  const byGroup = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < count; i++) {
    const mac = `0a:${(i >>> 16).toString(16).padStart(2, '0')}:${((i >>> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:00:00`;
    const group = deviceGroupUnder(license, mac);
    let item = byGroup.get(group);
    if (!item) byGroup.set(group, (item = { ...keys.deviceGroup(slc, group), type: 'device_group', slc, group }));
    item[deviceAttribute(mac)] = encoded;
  }
  const items = [...byGroup.values()];
  // Large items: a few per request, so that a request stays within BatchWriteItem's 16 MB.
  await inParallel(chunk(items, count / items.length > 400 ? 5 : 25), 4, async (part) => {
    let pending: unknown[] = part.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
      pending = result.UnprocessedItems?.[tableName] ?? [];
    }
  });
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.license(slc),
      UpdateExpression: 'SET usedDeviceLicenses = :count, activatedDevices = :count, installationCount = :one',
      ExpressionAttributeValues: { ':count': count, ':one': 1 },
    }),
  );
  return slc;
}

/**
 * The floor of splitting a license's groups on this database: read its stored groups consistently
 * and put their devices into the groups of the width its entitlement calls for (under another SLC's
 * keys, so that the license itself is left as it is), as many items in the same requests as the
 * split writes, and nothing else (no freezing, renaming, tombstones).
 */
async function splitFloor(slc: string): Promise<number> {
  const license = (await getLicense(slc))!;
  const started = performance.now();
  const stored = await batchGet(deviceGroupsOf(license).map((group) => keys.deviceGroup(slc, group)));
  const elsewhere = { ...license, slc: `FLOOR-${randomUUID()}` };
  await inParallel(stored, 8, (item) => batchPut([...splitGroupItem(elsewhere, item, deviceGroupWidthFor(license.entitledDeviceLicenses)).values()]));
  return performance.now() - started;
}

/**
 * What an installation of 10,000 devices costs on an SLC issued for 10,100 device licenses, in
 * either layout (256 groups: the license as stored before group widths): its first activation, a
 * signed re-activation that changes nothing, and one that replaces one camera.
 */
async function largeInstallationCost(stack: LocalStack, capacity: ReturnType<typeof measureCapacity>, layout: '256 groups' | '4096 groups') {
  const slc = await newLicense(stack, 10_100);
  if (layout === '256 groups') {
    const { client, tableName } = store();
    await client.send(new UpdateCommand({ TableName: tableName, Key: keys.license(slc), UpdateExpression: 'REMOVE deviceGroupWidth' }));
  }
  const list = devices(10_000);
  await quiet(stack);
  capacity.take();
  const first = await call(stack, 'POST', '/v1/activations', activationBody(slc, list));
  if (first.status !== 201) throw new Error(`activation failed: ${JSON.stringify(first.body).slice(0, 300)}`);
  const firstActivation = capacity.take();
  const credentials = { installationId: first.body.installationId, installationSecret: first.body.installationSecret };
  // The installation's first signed request records that it has made one: not part of what is measured.
  if ((await callSigned(stack, credentials, 'GET', `/v1/installations/${credentials.installationId}/license`, undefined)).status !== 200) throw new Error('first signed request failed');
  const { slc: _, ...body } = activationBody(slc, list);
  const reactivate = async (deviceList: unknown[]) => {
    await quiet(stack);
    capacity.take();
    const response = await callSigned(stack, credentials, 'POST', '/v1/activations', { installationId: credentials.installationId, ...body, devices: deviceList });
    if (response.status !== 200) throw new Error(`re-activation failed: ${JSON.stringify(response.body).slice(0, 300)}`);
    return capacity.take();
  };
  const noChange = await reactivate(list);
  const oneReplaced = await reactivate([...list.slice(1), ...devices(1)]);
  return { firstActivation, noChangeReactivation: noChange, reactivationReplacingOneCamera: oneReplaced };
}

export async function activationCostBench(stack: LocalStack, options: { samples: number; slcSizes: number[] }) {
  const firstOne: number[] = [];
  const firstOneFloor: number[] = [];
  const firstOneDesignFloor: number[] = [];
  const firstHundred: number[] = [];
  const firstHundredFloor: number[] = [];
  const noChange: number[] = [];
  const noChangeFloor: number[] = [];
  const checkIn: number[] = [];
  const checkInFloors: number[] = [];
  const checkInDesignFloors: number[] = [];
  for (let i = 0; i < options.samples + 3; i++) {
    const warm = i < 3;
    const slc = await newLicense(stack, 200);
    const single = devices(1);
    await quiet(stack);
    const oneMs = await timed(async () => {
      const response = await call(stack, 'POST', '/v1/activations', activationBody(slc, single));
      if (response.status !== 201) throw new Error(`activation failed: ${JSON.stringify(response.body).slice(0, 300)}`);
      Object.assign(single, { answer: response.body });
    });
    await quiet(stack);
    const oneFloor = await firstActivationFloor(slc, 4);
    await quiet(stack);
    const oneDesignFloor = await firstActivationDesignFloor(slc, 4);
    const hundred = devices(100);
    await quiet(stack);
    const hundredMs = await timed(async () => {
      const response = await call(stack, 'POST', '/v1/activations', activationBody(slc, hundred));
      if (response.status !== 201) throw new Error(`activation failed: ${JSON.stringify(response.body).slice(0, 300)}`);
    });
    await quiet(stack);
    const hundredFloor = await firstActivationFloor(slc, 90);
    const { installationId, installationSecret } = (single as unknown as { answer: { installationId: string; installationSecret: string } }).answer;
    const { slc: _, ...body } = activationBody(slc, single);
    const path = `/v1/installations/${installationId}/license`;
    // An installation's first signed request also records that it has made one (once in its life):
    // the re-activation and check-in measured are the ones a server makes from then on.
    if ((await callSigned(stack, { installationId, installationSecret }, 'GET', path, undefined)).status !== 200) throw new Error('first signed request failed');
    await quiet(stack);
    const noChangeMs = await timed(async () => {
      const response = await callSigned(stack, { installationId, installationSecret }, 'POST', '/v1/activations', { installationId, ...body });
      if (response.status !== 200) throw new Error(`re-activation failed: ${JSON.stringify(response.body).slice(0, 300)}`);
    });
    // The signature check's read of the installation, then a license read and one conditional transaction.
    const { client, tableName } = store();
    await quiet(stack);
    const noChangeFloorMs = await timed(async () => {
      await client.send(new GetCommand({ TableName: tableName, Key: keys.installation(installationId), ConsistentRead: true }));
    }) + (await firstActivationFloor(slc, 3));
    await quiet(stack);
    const checkInMs = await timed(async () => {
      const response = await callSigned(stack, { installationId, installationSecret }, 'GET', path, undefined);
      if (response.status !== 200) throw new Error(`check-in failed: ${JSON.stringify(response.body).slice(0, 300)}`);
    });
    await quiet(stack);
    const checkInFloorMs = await checkInFloor(installationId, 1);
    const { customerId } = (await getLicense(slc))!;
    await quiet(stack);
    const checkInDesignFloorMs = await checkInDesignFloor(slc, installationId, customerId, 1);
    if (warm) continue;
    firstOne.push(oneMs);
    firstOneFloor.push(oneFloor);
    firstOneDesignFloor.push(oneDesignFloor);
    firstHundred.push(hundredMs);
    firstHundredFloor.push(hundredFloor);
    noChange.push(noChangeMs);
    noChangeFloor.push(noChangeFloorMs);
    checkIn.push(checkInMs);
    checkInFloors.push(checkInFloorMs);
    checkInDesignFloors.push(checkInDesignFloorMs);
  }
  const versus = (name: string, samples: number[], floors: number[]) => ({
    [name]: { p50Ms: round(median(samples)), p99Ms: round(percentile(samples, 99)), floorP50Ms: round(median(floors)), ratioP50: round(median(samples) / median(floors), 2) },
  });

  const capacity = measureCapacity();
  const writeUnitsPerOneDeviceActivation: Record<string, Capacity & { samples: number[]; splitMs?: number; splitFloorMs?: number; splitRatio?: number }> = {};
  const writeUnitsOfLargeInstallations: Record<string, Awaited<ReturnType<typeof largeInstallationCost>>> = {};
  try {
    const oneDeviceActivations = async (slc: string) => {
      const samples: Capacity[] = [];
      for (let i = 0; i < 3; i++) {
        await quiet(stack);
        capacity.take();
        const response = await call(stack, 'POST', '/v1/activations', activationBody(slc, devices(1)));
        if (response.status !== 201) throw new Error(`activation failed: ${JSON.stringify(response.body).slice(0, 300)}`);
        samples.push(capacity.take());
      }
      return {
        writeUnits: median(samples.map((sample) => sample.writeUnits)),
        readUnits: median(samples.map((sample) => sample.readUnits)),
        samples: samples.map((sample) => sample.writeUnits),
      };
    };
    for (const size of options.slcSizes) writeUnitsPerOneDeviceActivation[`slcOf${size}Devices`] = await oneDeviceActivations(await seededSlc(stack, size));
    // A license stored on 256 groups before widths existed, before and after migration step 3 splits them.
    const largest = Math.max(...options.slcSizes);
    const stored = await seededSlc(stack, largest, 'before group widths');
    const beforeSplit = await oneDeviceActivations(stored);
    const splitFloorMs = await splitFloor(stored);
    const started = performance.now();
    await widenLicenseGroups(stored);
    const splitMs = performance.now() - started;
    const afterSplit = await oneDeviceActivations(stored);
    writeUnitsPerOneDeviceActivation[`slcOf${largest}DevicesStoredOn256Groups`] = beforeSplit;
    writeUnitsPerOneDeviceActivation[`slcOf${largest}DevicesAfterSplitTo${(await getLicense(stored))!.deviceGroupWidth}Digits`] = { ...afterSplit, splitMs: round(splitMs), splitFloorMs: round(splitFloorMs), splitRatio: round(splitMs / splitFloorMs, 2) };
    for (const layout of ['256 groups', '4096 groups'] as const) {
      writeUnitsOfLargeInstallations[layout] = await largeInstallationCost(stack, capacity, layout);
    }
  } finally {
    capacity.remove();
  }
  return {
    ...versus('firstActivationOneDevice', firstOne, firstOneFloor),
    ...versus('firstActivationOneDeviceAgainstItsDesignFloor', firstOne, firstOneDesignFloor),
    ...versus('firstActivation100Devices', firstHundred, firstHundredFloor),
    ...versus('noChangeReactivation', noChange, noChangeFloor),
    ...versus('checkIn', checkIn, checkInFloors),
    ...versus('checkInAgainstItsDesignFloor', checkIn, checkInDesignFloors),
    floors: {
      firstActivation: 'GetItem of the license + one TransactWriteItems (license counters + puts: 4 items for one device, 90 for 100)',
      firstActivationOneDeviceAgainstItsDesignFloor: 'GetItem of the license, then one BatchGetItem of its owner and the device group, then the same TransactWriteItems of 4 items',
      noChangeReactivation: 'GetItem of the installation + GetItem of the license + one TransactWriteItems of 3 items',
      checkIn: 'GetItem of the installation + signing the license document',
      checkInAgainstItsDesignFloor: 'GetItem of the installation beside a conditional PutItem (the signature used up), then one BatchGetItem of license, owner and device group, then signing',
    },
    writeUnitsPerOneDeviceActivation,
    writeUnitsOfLargeInstallations,
  };
}
