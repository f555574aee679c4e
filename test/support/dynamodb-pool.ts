import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';

/**
 * DynamoDB Local keeps the stream record of every write it has taken, of deleted tables too, in one
 * store it searches without an index, so every write costs more as a run goes on (BENCHMARKS.md,
 * "Test suite time"). The pool gives each test file an in-memory DynamoDB Local that has served
 * fewer than this many files, and stops one once it has served them all and the last has finished.
 */
export const FILES_PER_DYNAMODB_LOCAL = 6;

interface Instance {
  ready: Promise<DynamoDbLocal>;
  served: number;
  inUse: number;
}

export interface DynamoDbPool {
  /** Where test files ask for an endpoint (`POST /acquire`) and give it back (`POST /release`). */
  url: string;
  stop(): Promise<void>;
}

const launch = (): Instance => ({ ready: freePort().then((port) => startDynamoDbLocal({ port, dataDir: ':memory:' })), served: 0, inUse: 0 });

export async function startDynamoDbPool(): Promise<DynamoDbPool> {
  const instances: Instance[] = [];
  const byEndpoint = new Map<string, Instance>();
  // The next instance is started as the current one takes its last file, so that no file waits for a JVM.
  let next: Instance | undefined;

  async function acquire(): Promise<string> {
    let instance = instances.find((candidate) => candidate.served < FILES_PER_DYNAMODB_LOCAL);
    if (!instance) {
      instance = next ?? launch();
      next = undefined;
      instances.push(instance);
    }
    instance.served++;
    instance.inUse++;
    if (instance.served === FILES_PER_DYNAMODB_LOCAL) next ??= launch();
    const db = await instance.ready;
    byEndpoint.set(db.endpoint, instance);
    return db.endpoint;
  }

  async function release(endpoint: string): Promise<void> {
    const instance = byEndpoint.get(endpoint);
    if (!instance) return;
    instance.inUse--;
    if (instance.inUse > 0 || instance.served < FILES_PER_DYNAMODB_LOCAL) return;
    instances.splice(instances.indexOf(instance), 1);
    byEndpoint.delete(endpoint);
    await (await instance.ready).stop();
  }

  // Async, so that a body that is not JSON answers 500 instead of throwing in the run's main process.
  async function answer(path: string | undefined, body: string): Promise<unknown> {
    if (path === '/acquire') return { endpoint: await acquire() };
    await release(String((JSON.parse(body || '{}') as { endpoint?: string }).endpoint));
    return {};
  }

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      answer(request.url, Buffer.concat(chunks).toString()).then(
        (body) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      const all = [...instances, ...(next ? [next] : [])];
      await Promise.all(all.map(async (instance) => (await instance.ready).stop()));
    },
  };
}

/** A test file's DynamoDB Local from the run's pool. */
export async function acquireDynamoDbLocal(poolUrl: string): Promise<string> {
  const response = await fetch(`${poolUrl}/acquire`, { method: 'POST' });
  if (!response.ok) throw new Error(`no DynamoDB Local for this file: ${await response.text()}`);
  return ((await response.json()) as { endpoint: string }).endpoint;
}

export async function releaseDynamoDbLocal(poolUrl: string, endpoint: string): Promise<void> {
  await fetch(`${poolUrl}/release`, { method: 'POST', body: JSON.stringify({ endpoint }) });
}
