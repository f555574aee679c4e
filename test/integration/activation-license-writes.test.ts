import { describe, expect, it } from 'vitest';
import { useApi, type InstallationCredentials } from '../support/api';
import { activationBody, camera, createLicense } from '../support/licensing';
import { expectLedgerConsistent } from '../support/invariants';
import { withMiddleware } from '../support/interleave';
import { keys } from '../../shared/store/keys';

const api = useApi();

type TransactItems = Array<Record<string, { Key?: { pk: string; sk: string }; Item?: { pk: string; sk: string } }>>;

/** What `body` answers, and the keys of every item the service's transactions write meanwhile, in order. */
async function withTransactionKeys<T>(body: () => Promise<T>): Promise<{ result: T; written: Array<{ pk: string; sk: string }> }> {
  const written: Array<{ pk: string; sk: string }> = [];
  const result = await withMiddleware(
    'transactionKeys',
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') {
        for (const item of (args.input as { TransactItems: TransactItems }).TransactItems) {
          const action = Object.values(item)[0]!;
          const key = action.Key ?? action.Item!;
          written.push({ pk: key.pk, sk: key.sk });
        }
      }
      return next(args);
    },
    body,
  );
  return { result, written };
}

const reactivate = (credentials: InstallationCredentials, devices: unknown[]) =>
  api.signed(credentials, 'POST', '/v1/activations', { installationId: credentials.installationId, ...activationBody(devices) });

describe('which activations write the license item', () => {
  const writesLicense = (slc: string, written: Array<{ pk: string; sk: string }>) => written.some((key) => key.pk === keys.license(slc).pk && key.sk === keys.license(slc).sk);

  it('a re-activation that changes nothing records itself on the installation without writing the license; one that changes a device writes it', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 5 });
    const [a, b] = [camera(), camera()];
    const first = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([a]) } });
    expect(first.status).toBe(201);
    const credentials = { installationId: first.body.installationId, installationSecret: first.body.installationSecret };

    const { result: unchanged, written: unchangedWrites } = await withTransactionKeys(() => reactivate(credentials, [a]));
    expect(unchanged.status).toBe(200);
    expect(unchanged.body.usage).toEqual({ deviceLicenses: { entitled: 5, used: 1, available: 4 }, devices: 1 });
    expect(writesLicense(slc, unchangedWrites)).toBe(false);
    expect(unchangedWrites.some((key) => key.pk === keys.installation(credentials.installationId).pk)).toBe(true);

    const { result: swapped, written: swapWrites } = await withTransactionKeys(() => reactivate(credentials, [b]));
    expect(swapped.status).toBe(200);
    expect(swapped.body.released).toEqual([a.mac]);
    expect(writesLicense(slc, swapWrites)).toBe(true);

    const events = await api.ops('GET', `/v1/licenses/${slc}/events`);
    expect(events.body.items.filter((event: any) => event.type === 'activation.completed')).toHaveLength(3);
    await expectLedgerConsistent(slc);
  });
});
