import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBridgeBus, type EventBus } from '../../shared/adapters/event-bus';
import { startLocalEventBridge, type LocalEventBridge } from '../../local/eventbridge';
import { fileCheckpoint, startStreamPublisher } from '../../local/stream-publisher';
import { useApi } from '../support/api';
import { activateFirst, camera, createLicense } from '../support/licensing';

const api = useApi();
let bridge: LocalEventBridge;
let dir: string;

beforeAll(async () => {
  bridge = await startLocalEventBridge();
  Object.assign(process.env, { AWS_ENDPOINT_URL_EVENTBRIDGE: bridge.endpoint, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  dir = mkdtempSync(join(tmpdir(), 'publisher-'));
});
afterAll(async () => {
  await bridge.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The trail of each license oldest first, as GET …/events lists it (newest first) reversed. */
async function trails(slcs: string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  for (const slc of slcs) {
    const items = (await api.ops('GET', `/v1/licenses/${slc}/events?limit=100`)).body.items as Array<{ eventId: string }>;
    result.set(slc, items.map((item) => item.eventId).reverse());
  }
  return result;
}

/** What the bus received, per license, in the order received. */
function received(since: number): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const event of bridge.events.slice(since)) {
    const { slc, eventId } = event.detail as { slc: string; eventId: string };
    result.set(slc, [...(result.get(slc) ?? []), eventId]);
  }
  return result;
}

/** A bus that dies at its n-th put: before the put reaches EventBridge, or after EventBridge accepted it. */
function crashingBus(inner: EventBus, at: number, when: 'before' | 'after'): EventBus & { crashed: Promise<void> } {
  let calls = 0;
  let crash!: () => void;
  const crashed = new Promise<void>((resolve) => (crash = resolve));
  return {
    crashed,
    async put(events) {
      calls++;
      if (calls === at && when === 'before') {
        crash();
        throw new Error('process died');
      }
      const outcome = await inner.put(events);
      if (calls === at && when === 'after') {
        crash();
        throw new Error('process died');
      }
      // After the crash, the old process puts nothing more.
      if (calls > at) throw new Error('process is gone');
      return outcome;
    },
  };
}

async function makeEvents(): Promise<string[]> {
  const slcs: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    slcs.push(slc);
    for (const deviceLicenses of [11, 12]) expect((await api.ops('PATCH', `/v1/licenses/${slc}`, { deviceLicenses })).status).toBe(200);
    // an activation that reaches 80 % and 100 %: three events in one transaction
    await activateFirst(api, slc, Array.from({ length: 12 }, () => camera()));
  }
  return slcs;
}

describe('the event publisher on the local stream', () => {
  it('publishes every event once, in order per license, through a crash before a put and a restart', async () => {
    const since = bridge.events.length;
    const slcs = await makeEvents();
    const checkpoint = fileCheckpoint(join(dir, 'before.json'));
    const bus = crashingBus(eventBridgeBus({ busName: 'test' }), 4, 'before');
    const first = startStreamPublisher({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, bus, checkpoint, idleMs: 20, retryMs: 50 });
    await bus.crashed;
    await first.stop();
    expect(bridge.events.length - since).toBeGreaterThan(0);

    const restarted = startStreamPublisher({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, bus: eventBridgeBus({ busName: 'test' }), checkpoint, idleMs: 20 });
    await restarted.drained();
    await restarted.stop();

    const expected = await trails(slcs);
    const got = received(since);
    for (const slc of slcs) expect(got.get(slc), slc).toEqual(expected.get(slc));
    expect([...expected.values()].flat()).toHaveLength(3 * 6);
    const types = bridge.events.slice(since).filter((event) => (event.detail as { slc: string }).slc === slcs[0]).map((event) => event['detail-type']);
    expect(types).toEqual(['license.created', 'license.updated', 'license.updated', 'activation.completed', 'usage.threshold_reached', 'usage.threshold_reached']);
    expect(bridge.events.slice(since).find((event) => event['detail-type'] === 'usage.threshold_reached')).toMatchObject({
      source: 'cloud-licensing',
      eventBusName: 'test',
      detail: { details: { percent: 80, used: 12, entitled: 12 } },
    });
  });

  it('publishes nothing twice after a restart from the checkpoint, and starts where it stopped', async () => {
    const checkpoint = fileCheckpoint(join(dir, 'before.json'));
    const since = bridge.events.length;
    const slcs = await makeEvents();
    const publisher = startStreamPublisher({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, bus: eventBridgeBus({ busName: 'test' }), checkpoint, idleMs: 20 });
    await publisher.drained();
    await publisher.stop();
    // Only the new events: everything before was checkpointed by the earlier run.
    const expected = await trails(slcs);
    expect(bridge.events.length - since).toBe(3 * 6);
    for (const slc of slcs) expect(received(since).get(slc)).toEqual(expected.get(slc));
  });

  it('puts an event again, with the same eventId, when the crash falls between an accepted put and its checkpoint', async () => {
    const since = bridge.events.length;
    const slcs = await makeEvents();
    // Continues from where the earlier runs checkpointed.
    const checkpoint = fileCheckpoint(join(dir, 'before.json'));
    const bus = crashingBus(eventBridgeBus({ busName: 'test' }), 2, 'after');
    const first = startStreamPublisher({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, bus, checkpoint, idleMs: 20, retryMs: 50 });
    await bus.crashed;
    await first.stop();
    const restarted = startStreamPublisher({ endpoint: process.env.DYNAMODB_ENDPOINT!, tableName: process.env.TABLE_NAME!, bus: eventBridgeBus({ busName: 'test' }), checkpoint, idleMs: 20 });
    await restarted.drained();
    await restarted.stop();

    const ids = bridge.events.slice(since).map((event) => (event.detail as { eventId: string }).eventId);
    const all = [...(await trails(slcs)).values()].flat();
    // Never lost; what the crash left unconfirmed is put once more, and nothing else is.
    for (const id of all) expect(ids).toContain(id);
    const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
    expect(repeated.length).toBeGreaterThan(0);
    expect(repeated.length).toBeLessThanOrEqual(3);
    expect(ids).toHaveLength(all.length + repeated.length);
  });
});
