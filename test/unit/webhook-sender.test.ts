import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { postWebhook, resolvesToPublicAddresses } from '../../shared/adapters/webhook-sender';

async function server(handler: Parameters<typeof createServer>[1]) {
  const created = createServer(handler);
  await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(created.address() as AddressInfo).port}/hook`, close: () => {
      created.closeAllConnections();
      created.close();
    },
  };
}

describe('postWebhook', () => {
  it('does not follow a redirect: the 3xx is the answer', async () => {
    let hits = 0;
    const target = await server((_, response) => {
      hits++;
      response.writeHead(307, { location: 'http://127.0.0.1:1/elsewhere' }).end();
    });
    expect(await postWebhook(target.url, {}, '{}', 'local')).toEqual({ kind: 'answered', statusCode: 307 });
    expect(hits).toBe(1);
    target.close();
  });

  it('refuses, at connection time, a host name that resolves to a private or loopback address in AWS', async () => {
    expect(await resolvesToPublicAddresses('localhost')).toBe(false);
    expect(await postWebhook('https://localhost:9/hook', {}, '{}', 'public')).toEqual({ kind: 'refused_address' });
    expect(await postWebhook('http://127.0.0.1:9/hook', {}, '{}', 'public')).toEqual({ kind: 'refused_address' });
  });

  it('gives up on an endpoint that does not answer within 10 s', async () => {
    const silent = await server(() => undefined);
    const started = Date.now();
    expect(await postWebhook(silent.url, {}, '{}', 'local')).toEqual({ kind: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_900);
    expect(Date.now() - started).toBeLessThan(13_000);
    silent.close();
  }, 20_000);
});
