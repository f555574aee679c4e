import { randomUUID } from 'node:crypto';
import { BatchGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { store } from '../shared/store/client';
import { chunk, inParallel } from '../shared/store/batch';
import { deviceGroupUpdates, transactionsOf, updateItemOf } from '../shared/store/devices';
import { deviceGroupOf, deviceGroupWidthFor } from '../shared/domain/device-key';
import { keys } from '../shared/store/keys';
import { activationBody, call, callSigned, devices, newLicense, percentile, quiet, round, traceDynamo } from './support';
import type { LocalStack } from '../local/stack';

interface Sample {
  ms: number;
  dynamoMs: number;
  requests: number;
}

async function activateOnce(stack: LocalStack, trace: ReturnType<typeof traceDynamo>, deviceCount: number, entitled = Math.max(deviceCount, 1)): Promise<Sample> {
  const slc = await newLicense(stack, entitled);
  const body = activationBody(slc, devices(deviceCount));
  await quiet(stack);
  trace.take();
  const started = performance.now();
  const response = await call(stack, 'POST', '/v1/activations', body);
  const ms = performance.now() - started;
  const dynamo = trace.take();
  if (response.status !== 201) throw new Error(`activation failed: ${JSON.stringify(response.body).slice(0, 300)}`);
  return { ms, dynamoMs: dynamo.busyMs, requests: dynamo.requests };
}

/** A signed re-activation of an installation holding 10,000 devices that replaces 100 of them. */
async function reactivateTenThousand(stack: LocalStack, trace: ReturnType<typeof traceDynamo>): Promise<Sample> {
  const slc = await newLicense(stack, 10_100);
  const list = devices(10_000);
  const first = await call(stack, 'POST', '/v1/activations', activationBody(slc, list));
  if (first.status !== 201) throw new Error(`activation failed: ${JSON.stringify(first.body).slice(0, 300)}`);
  const { installationId, installationSecret } = first.body;
  const { slc: _, ...body } = activationBody(slc, [...list.slice(100), ...devices(100)]);
  await quiet(stack);
  trace.take();
  const started = performance.now();
  const response = await callSigned(stack, { installationId, installationSecret }, 'POST', '/v1/activations', { installationId, ...body });
  const ms = performance.now() - started;
  const dynamo = trace.take();
  if (response.status !== 200 || response.body.released.length !== 100) throw new Error(`re-activation failed: ${JSON.stringify(response.body).slice(0, 300)}`);
  return { ms, dynamoMs: dynamo.busyMs, requests: dynamo.requests };
}

/**
 * The floor for a large activation on this database: read the device groups `count` new devices fall
 * in on an SLC issued for `entitled` device licenses, consistently, and write the devices into them
 * as the service does (its updates of each group, packed into transactions as the service packs
 * them, with its parallelism), and nothing else (no planning, no HTTP, no JSON of the request).
 */
async function deviceWriteFloor(count: number, entitled = count): Promise<number> {
  const { client, tableName } = store();
  const slc = `BENCH-${randomUUID()}`;
  const width = deviceGroupWidthFor(entitled);
  const changes = devices(count).map(({ mac }) => ({ kind: 'activate' as const, mac, group: deviceGroupOf(slc, mac, width), deviceKey: 'DK-000000-000000-000000-000000', licenses: 1 }));
  const groups = new Map(changes.map(({ group }) => [group, { group, devices: {} }]));
  const updates = deviceGroupUpdates(slc, groups, changes, new Date().toISOString());
  const started = performance.now();
  await inParallel(chunk([...groups.keys()], 100), 8, (part) =>
    client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: part.map((group) => keys.deviceGroup(slc, group)), ConsistentRead: true } } })),
  );
  await inParallel(transactionsOf(updates).flat(), 8, (part) =>
    client.send(new TransactWriteCommand({ TransactItems: part.map((update) => ({ Update: { TableName: tableName, ...updateItemOf(slc, update) } })) })),
  );
  return performance.now() - started;
}

/** The DynamoDB requests an activation of `devices` may make: one per 25 devices, and 10 more. */
const requestBudget = (devices: number) => Math.ceil(devices / 25) + 10;

function summary(samples: Sample[]) {
  const p50 = percentile(samples.map((s) => s.ms), 50);
  const p99 = percentile(samples.map((s) => s.ms), 99);
  const dynamoP50 = percentile(samples.map((s) => s.dynamoMs), 50);
  return {
    samples: samples.length,
    p50Ms: round(p50),
    p99Ms: round(p99),
    dynamoDbRoundTripsP50Ms: round(dynamoP50),
    ratioP50: round(p50 / dynamoP50, 2),
    requests: samples[0]!.requests,
  };
}

/** §5 activation: latency against the DynamoDB round trips it needs, and requests per activation. */
export async function activationBench(stack: LocalStack, options: { oneDevice: number; thousandDevices: number; tenThousandDevices: number }) {
  const trace = traceDynamo();
  for (let i = 0; i < 5; i++) await activateOnce(stack, trace, 1); // warm-up

  const one: Sample[] = [];
  for (let i = 0; i < options.oneDevice; i++) one.push(await activateOnce(stack, trace, 1));
  const thousand: Sample[] = [];
  for (let i = 0; i < options.thousandDevices; i++) thousand.push(await activateOnce(stack, trace, 1000));

  const requestsPerActivation: Record<string, { requests: number; budget: number }> = {};
  for (const n of [1, 100, 1000, 10_000]) {
    const sample = await activateOnce(stack, trace, n);
    requestsPerActivation[n] = { requests: sample.requests, budget: requestBudget(n) };
  }
  const tenThousand: Sample[] = [];
  for (let i = 0; i < options.tenThousandDevices; i++) tenThousand.push(await activateOnce(stack, trace, 10_000));
  const reactivations: Sample[] = [];
  for (let i = 0; i < options.tenThousandDevices; i++) reactivations.push(await reactivateTenThousand(stack, trace));
  await quiet(stack);
  const floor = await deviceWriteFloor(10_000);
  // An SLC issued for more than 32,768 device licenses has 65,536 groups: the same devices touch about 9,000 of them.
  const onWidestGroups = await activateOnce(stack, trace, 10_000, 40_000);
  await quiet(stack);
  const widestFloor = await deviceWriteFloor(10_000, 40_000);

  return {
    oneDevice: summary(one),
    thousandDevices: summary(thousand),
    tenThousandDevices: {
      ...summary(tenThousand),
      maxMs: round(Math.max(...tenThousand.map((sample) => sample.ms))),
      rawReadAndWriteOf10000DevicesMs: round(floor),
      ratioToRaw: round(percentile(tenThousand.map((sample) => sample.ms), 50) / floor, 2),
    },
    tenThousandDevicesOn65536Groups: {
      ms: round(onWidestGroups.ms),
      requests: onWidestGroups.requests,
      budget: requestBudget(10_000),
      rawReadAndWriteOf10000DevicesMs: round(widestFloor),
      ratioToRaw: round(onWidestGroups.ms / widestFloor, 2),
    },
    reactivationOf10000DevicesReplacing100: { ...summary(reactivations), maxMs: round(Math.max(...reactivations.map((sample) => sample.ms))) },
    requestsPerActivation,
  };
}
