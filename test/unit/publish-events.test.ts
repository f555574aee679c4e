import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { BusEvent, EventBus, PutOutcome } from '../../shared/adapters/event-bus';
import type { StreamRecord } from '../../shared/store/events';
import { publishStreamRecords } from '../../shared/use-cases/publish-events';

let sequence = 0;
function eventRecord(slc: string, at: string, n: number, type: string): StreamRecord {
  const eventId = `${slc}-${type}-${n}`;
  const item = { pk: `LICENSE#${slc}`, sk: `EVENT#${at}#${n}#${eventId}`, type: 'event', slc, event: { eventId, at, type, actor: 'ops', sourceIp: '127.0.0.1', details: { n, empty: {} } } };
  return { eventName: 'INSERT', dynamodb: { SequenceNumber: String(++sequence).padStart(21, '0'), NewImage: marshall(item) as never } };
}
const otherRecord = (eventName = 'MODIFY'): StreamRecord => ({ eventName, dynamodb: { SequenceNumber: String(++sequence).padStart(21, '0'), NewImage: marshall({ pk: 'LICENSE#x', sk: 'LICENSE', type: 'license' }) as never } });

/** A bus that accepts, or refuses the events a test names (fault injection). */
function recordingBus(refuse: (event: BusEvent) => boolean = () => false): EventBus & { puts: BusEvent[][] } {
  const puts: BusEvent[][] = [];
  return {
    puts,
    async put(events) {
      puts.push(events);
      return events.map((event): PutOutcome => (refuse(event) ? { ok: false, errorCode: 'InternalFailure' } : { ok: true }));
    },
  };
}

describe('publishStreamRecords', () => {
  it('publishes only inserted event items, never two of one license in a put, at most 10 per put, in stream order', async () => {
    const records = [
      otherRecord(),
      ...Array.from({ length: 12 }, (_, i) => eventRecord(`L${i}`, `2026-01-01T00:00:0${i % 10}.000Z`, 0, 'license.updated')),
      eventRecord('L0', '2026-01-01T00:00:09.000Z', 0, 'license.revoked'),
      otherRecord('REMOVE'),
    ];
    const bus = recordingBus();
    const checkpoints: string[] = [];
    const outcome = await publishStreamRecords(records, bus, (at) => void checkpoints.push(at));
    expect(outcome).toEqual({ published: 13 });
    expect(bus.puts.map((put) => put.length)).toEqual([10, 3]);
    for (const put of bus.puts) expect(new Set(put.map((event) => event.detail.slc)).size).toBe(put.length);
    expect(bus.puts.flat().filter((event) => event.detail.slc === 'L0').map((event) => event.detailType)).toEqual(['license.updated', 'license.revoked']);
    expect(bus.puts[0]![0]!.detail.details).toEqual({ n: 0, empty: {} });
    // the last checkpoint covers every record, the trailing non-event included
    expect(checkpoints.at(-1)).toBe(records.at(-1)!.dynamodb!.SequenceNumber);
  });

  it('puts the events of one transaction in sort-key order whatever their order in the stream', async () => {
    const at = '2026-01-01T00:00:00.000Z';
    const records = [eventRecord('L', at, 2, 'usage.threshold_reached'), eventRecord('L', at, 0, 'activation.completed'), eventRecord('L', at, 1, 'usage.threshold_reached')];
    const bus = recordingBus();
    await publishStreamRecords(records, bus);
    expect(bus.puts.flat().map((event) => event.detail.details.n)).toEqual([0, 1, 2]);
  });

  it('stops at the first refused event and names where a retry starts: the refused record, or its transaction’s first', async () => {
    const a = eventRecord('A', '2026-01-01T00:00:00.000Z', 0, 'license.created');
    const b = eventRecord('B', '2026-01-01T00:00:00.000Z', 0, 'license.created');
    const c = eventRecord('A', '2026-01-01T00:00:01.000Z', 0, 'license.updated');
    const bus = recordingBus((event) => event.detail.slc === 'B');
    const outcome = await publishStreamRecords([a, b, c], bus);
    expect(outcome).toEqual({ firstFailed: b.dynamodb!.SequenceNumber, published: 1 });
    // A's later event is not put before B's refused one is retried
    expect(bus.puts.flat().map((event) => event.detail.eventId)).toEqual(['A-license.created-0', 'B-license.created-0']);

    const at = '2026-01-01T00:00:02.000Z';
    const group = [eventRecord('G', at, 1, 'usage.threshold_reached'), eventRecord('G', at, 0, 'activation.completed')];
    const refusing = recordingBus((event) => event.detail.details.n === 1);
    const checkpoints: string[] = [];
    expect(await publishStreamRecords(group, refusing, (sequenceNumber) => void checkpoints.push(sequenceNumber))).toEqual({ firstFailed: group[0]!.dynamodb!.SequenceNumber, published: 1 });
    // no checkpoint inside the transaction's group: a restart puts the whole group again
    expect(checkpoints).toEqual([]);
  });

  it('names the first record of the put when the bus cannot be reached', async () => {
    const records = [otherRecord(), eventRecord('A', '2026-01-01T00:00:00.000Z', 0, 'license.created')];
    const bus: EventBus = { put: async () => Promise.reject(new Error('connection reset')) };
    expect(await publishStreamRecords(records, bus)).toEqual({ firstFailed: records[0]!.dynamodb!.SequenceNumber, published: 0 });
  });
});
