import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { setSecretsProvider, type SecretsProvider } from '../../shared/adapters/secrets';
import { decodeCursor, encodeCursor } from '../../shared/store/pagination';

/** A secrets port that counts its reads; no INSTALLATION_KEY or CURSOR_KEY in the environment. */
function provider(key: Buffer): SecretsProvider & { reads: number } {
  const port = {
    reads: 0,
    async opsTokenSha256() {
      throw new Error('not used');
    },
    async installationKey() {
      port.reads++;
      return key;
    },
  };
  return port;
}

describe('list cursors', () => {
  const saved = process.env.INSTALLATION_KEY;
  afterEach(() => {
    setSecretsProvider(undefined);
    process.env.INSTALLATION_KEY = saved;
  });

  it('are signed with a key that comes through the secrets port, not from the environment', async () => {
    delete process.env.INSTALLATION_KEY;
    const port = provider(randomBytes(32));
    setSecretsProvider(port);
    const cursor = (await encodeCursor('customers', { pk: 'CUSTOMER#1', sk: 'A' }))!;
    expect(await decodeCursor('customers', cursor)).toEqual({ pk: 'CUSTOMER#1', sk: 'A' });
    expect(port.reads).toBe(2);
    // Another list's cursor, or one signed with another key, is refused.
    await expect(decodeCursor('licenses', cursor)).rejects.toMatchObject({ status: 400, code: 'invalid_cursor' });
    setSecretsProvider(provider(randomBytes(32)));
    await expect(decodeCursor('customers', cursor)).rejects.toMatchObject({ status: 400, code: 'invalid_cursor' });
  });

  it('fail when the secrets port fails, instead of falling back to a variable', async () => {
    setSecretsProvider({
      opsTokenSha256: async () => 'x',
      installationKey: async () => {
        throw new Error('GetSecretValue failed: ResourceNotFoundException');
      },
    });
    await expect(encodeCursor('customers', { pk: 'x' })).rejects.toThrow(/ResourceNotFoundException/);
  });
});
