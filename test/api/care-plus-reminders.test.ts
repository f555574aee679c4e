import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, resetClock, setClock } from '../../shared/adapters/clock';
import { OutboxNotifier, setNotifier } from '../../shared/adapters/notifier';
import { store } from '../../shared/store/client';
import { CARE_PLUS_SCHEDULE_PARTITION } from '../../shared/store/keys';
import { inProcess, useApi } from '../support/api';
import { backOffice } from '../support/back-office';
import { uniqueEmail } from '../support/users';

const api = useApi();
const fixtures = backOffice(api);
const clock = fixedClock('2026-03-01T06:00:00.000Z');
let outbox: OutboxNotifier;
const DAY = 86_400_000;
const inDays = (days: number) => new Date(clock.now().getTime() + days * DAY).toISOString();

beforeAll(() => setClock(clock));
afterAll(() => {
  resetClock();
  setNotifier(undefined);
});
beforeEach(() => {
  outbox = new OutboxNotifier();
  setNotifier(outbox);
});

async function reminders(slc: string): Promise<any[]> {
  const items = (await api.ops('GET', `/v1/licenses/${slc}/events?limit=100`)).body.items as any[];
  return items.filter((event) => event.type.startsWith('care_plus.exp')).map((event) => ({ type: event.type, ...event.details }));
}

const run = () => api.ops('POST', '/v1/jobs/care-plus-reminders');

/** Clears what earlier tests left on the schedule (each test starts from its own licenses). */
async function scheduled(): Promise<number> {
  const { client, tableName } = store();
  const result = await client.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': CARE_PLUS_SCHEDULE_PARTITION } }));
  return result.Count ?? 0;
}

describe('Care Plus reminders (API.md §12)', () => {
  inProcess.it('records the smallest threshold passed, once per license and validUntil, and e-mails the contacts', async () => {
    const customer = await fixtures.customer({ contacts: [{ name: 'Ida', email: 'ida@example.com' }, { name: 'Bo', email: 'bo@example.com' }] });
    const later = await fixtures.license({ customerId: customer.customerId, carePlus: { validUntil: inDays(120) } });
    const at60 = await fixtures.license({ customerId: customer.customerId, carePlus: { validUntil: inDays(60) } });
    const at6 = await fixtures.license({ customerId: customer.customerId, carePlus: { validUntil: inDays(6) } });
    const gone = await fixtures.license({ customerId: customer.customerId, carePlus: { validUntil: inDays(-3) } });
    await fixtures.license({ customerId: customer.customerId });

    const first = await run();
    expect(first.status).toBe(200);
    // the license ending in 120 days is not due yet and is not read
    expect(first.body).toEqual({ licenses: 3, reminders: 3 });
    expect(await reminders(later.slc)).toEqual([]);
    expect(await reminders(at60.slc)).toEqual([{ type: 'care_plus.expiring', days: 90, validUntil: inDays(60), recipients: 2 }]);
    expect(await reminders(at6.slc)).toEqual([{ type: 'care_plus.expiring', days: 7, validUntil: inDays(6), recipients: 2 }]);
    expect(await reminders(gone.slc)).toEqual([{ type: 'care_plus.expired', validUntil: inDays(-3), recipients: 2 }]);
    expect(outbox.messages.filter((message) => message.channel === 'email')).toHaveLength(6);
    expect(outbox.messages.map((message) => message.target).sort()).toEqual(['b***@example.com', 'b***@example.com', 'b***@example.com', 'i***@example.com', 'i***@example.com', 'i***@example.com']);

    // The same day again: nothing new, nothing sent.
    expect((await run()).body).toEqual({ licenses: 2, reminders: 0 });
    expect(outbox.messages).toHaveLength(6);

    // 31 days on: later has 89 days left (90-day reminder), at60 29 (30-day), at6 has expired, gone stays done.
    clock.advance(31 * DAY);
    expect((await run()).body).toEqual({ licenses: 3, reminders: 3 });
    expect((await reminders(later.slc)).map((event) => event.days)).toEqual([90]);
    expect((await reminders(at60.slc)).map((event) => event.days)).toEqual([30, 90]);
    expect((await reminders(at6.slc)).map((event) => event.type)).toEqual(['care_plus.expired', 'care_plus.expiring']);
    expect(await reminders(gone.slc)).toHaveLength(1);

    // A new validUntil starts over.
    clock.advance(1000);
    expect((await api.ops('PUT', `/v1/licenses/${at6.slc}/care-plus`, { validUntil: inDays(20) })).status).toBe(200);
    await run();
    expect((await reminders(at6.slc))[0]).toEqual({ type: 'care_plus.expiring', days: 30, validUntil: inDays(20), recipients: 2 });
    clock.advance(-31 * DAY - 1000);
  });

  inProcess.it('records each reminder once when two runs overlap', async () => {
    clock.advance(400 * DAY);
    const customer = await fixtures.customer({ contacts: [{ name: 'Eve', email: 'eve@example.net' }] });
    const slcs: string[] = [];
    for (const days of [1, 5, 25, 80, -1, 29, 7, 89]) slcs.push((await fixtures.license({ customerId: customer.customerId, carePlus: { validUntil: inDays(days) } })).slc);
    expect(await scheduled()).toBeGreaterThanOrEqual(slcs.length);
    const [a, b, c] = await Promise.all([run(), run(), run()]);
    expect([a!.status, b!.status, c!.status]).toEqual([200, 200, 200]);
    // Each of the eight is recorded by exactly one of the runs (earlier tests' licenses have expired by now, and are recorded too).
    for (const slc of slcs) expect(await reminders(slc), slc).toHaveLength(1);
    // One e-mail per reminder to this customer's contact, however many runs saw it.
    expect(outbox.messages.filter((message) => message.target === 'e***@example.net')).toHaveLength(slcs.length);
    expect(a!.body.reminders + b!.body.reminders + c!.body.reminders).toBeGreaterThanOrEqual(slcs.length);
    expect((await run()).body.reminders).toBe(0);
  });

  inProcess.it("e-mails the partner's users besides the customer's contacts, not its customers' users nor another partner's", async () => {
    const partner = (await api.ops('POST', '/v1/partners', { name: 'Reminder Dealer' })).body;
    const otherPartner = (await api.ops('POST', '/v1/partners', { name: 'Another Dealer' })).body;
    const customer = await fixtures.customer({ partnerId: partner.partnerId, contacts: [{ name: 'Cora', email: 'cora@customer.example' }] });
    const address = (label: string, domain: string) => `${uniqueEmail(label).split('@')[0]}@${domain}`;
    const users = [
      { role: 'partner', partnerId: partner.partnerId, email: address('pia', 'dealer-one.example') },
      { role: 'partner', partnerId: partner.partnerId, email: address('paul', 'dealer-one.example') },
      { role: 'customer-user', customerId: customer.customerId, email: address('ulla', 'customer-user.example') },
      { role: 'partner', partnerId: otherPartner.partnerId, email: address('otto', 'dealer-two.example') },
    ];
    for (const user of users) expect((await api.ops('POST', '/v1/users', { name: 'Reminder User', ...user })).status).toBe(201);
    const license = await fixtures.license({ customerId: customer.customerId, carePlus: { validUntil: inDays(10) } });

    expect((await run()).status).toBe(200);
    expect(await reminders(license.slc)).toEqual([{ type: 'care_plus.expiring', days: 30, validUntil: inDays(10), recipients: 3 }]);
    const sent = outbox.messages.filter((message) => message.title.includes(license.slc)).map((message) => message.target);
    expect(sent.sort()).toEqual(['c***@customer.example', 'p***@dealer-one.example', 'p***@dealer-one.example']);
  });

  it('refuses a body and other callers', async () => {
    expect((await api.ops('POST', '/v1/jobs/care-plus-reminders', {})).status).toBe(400);
    expect((await api.request('POST', '/v1/jobs/care-plus-reminders')).status).toBe(401);
  });
});
