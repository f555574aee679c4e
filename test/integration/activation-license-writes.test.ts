import { afterAll, describe, expect, it } from 'vitest';
import { useApi, type InstallationCredentials } from '../support/api';
import { activationBody, camera, createLicense } from '../support/licensing';
import { expectLedgerConsistent } from '../support/invariants';
import { store } from '../../shared/store/client';
import { keys } from '../../shared/store/keys';

const api = useApi();

/** The keys of every item the service's transactions write, in order. */
function transactionKeys() {
  const { client } = store();
  const written: Array<{ pk: string; sk: string }> = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') {
        for (const item of (args.input as { TransactItems: Array<Record<string, { Key?: { pk: string; sk: string }; Item?: { pk: string; sk: string } }>> }).TransactItems) {
          const action = Object.values(item)[0]!;
          const key = action.Key ?? action.Item!;
          written.push({ pk: key.pk, sk: key.sk });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'transactionKeys', priority: 'low' },
  );
  return { written, remove: () => client.middlewareStack.remove('transactionKeys') };
}

const reactivate = (credentials: InstallationCredentials, devices: unknown[]) =>
  api.signed(credentials, 'POST', '/v1/activations', { installationId: credentials.installationId, ...activationBody(devices) });

describe('which activations write the license item', () => {
  const capture = transactionKeys();
  afterAll(() => capture.remove());
  const writesLicense = (slc: string) => capture.written.some((key) => key.pk === keys.license(slc).pk && key.sk === keys.license(slc).sk);

  it('a re-activation that changes nothing records itself on the installation without writing the license; one that changes a device writes it', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 5 });
    const [a, b] = [camera(), camera()];
    const first = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([a]) } });
    expect(first.status).toBe(201);
    const credentials = { installationId: first.body.installationId, installationSecret: first.body.installationSecret };

    capture.written.length = 0;
    const unchanged = await reactivate(credentials, [a]);
    expect(unchanged.status).toBe(200);
    expect(unchanged.body.usage).toEqual({ deviceLicenses: { entitled: 5, used: 1, available: 4 }, devices: 1 });
    expect(writesLicense(slc)).toBe(false);
    expect(capture.written.some((key) => key.pk === keys.installation(credentials.installationId).pk)).toBe(true);

    capture.written.length = 0;
    const swapped = await reactivate(credentials, [b]);
    expect(swapped.status).toBe(200);
    expect(swapped.body.released).toEqual([a.mac]);
    expect(writesLicense(slc)).toBe(true);

    const events = await api.ops('GET', `/v1/licenses/${slc}/events`);
    expect(events.body.items.filter((event: any) => event.type === 'activation.completed')).toHaveLength(3);
    await expectLedgerConsistent(slc);
  });
});
