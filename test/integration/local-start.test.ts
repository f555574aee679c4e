import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dynamoDbLocalArguments, freePort, portAccepts, startDynamoDbLocal } from '../../local/dynamodb-local';

/** `npm start` as a user runs it: scripts/start.ts in its own process, on Node 24 with tsx. */
function start(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    // The dashboard npm test built is served as it is: a rebuild would empty dashboard/dist under the browser tests.
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', OPS_TOKEN: '', DASHBOARD_PREBUILT: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForHealth(url: string, within: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      const response = await fetch(`${url}/v1/health`);
      if (response.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > within) throw new Error(`not healthy within ${within} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'cloud-licensing-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('is healthy within 30 s, prints the ops token, and keeps data across a stop and start', async () => {
    const port = await freePort();
    const dynamodbPort = await freePort();
    const env = { PORT: String(port), DYNAMODB_PORT: String(dynamodbPort), DATA_DIR: dataDir };
    const url = `http://127.0.0.1:${port}`;

    const first = start(env);
    expect(await waitForHealth(url, 30_000)).toBeLessThan(30_000);
    await expect.poll(() => first.output()).toContain('Ops token: ops_');
    const token = /Ops token: (\S+)/.exec(first.output())![1]!;
    const created = await fetch(`${url}/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Persistent A/S', country: 'DK', contacts: [{ name: 'P', email: 'p@example.com' }] }),
    }).then((r) => r.json() as Promise<any>);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await expect(fetch(`${url}/v1/health`)).rejects.toThrow();

    // A supplied token works and is never printed.
    const second = start({ ...env, OPS_TOKEN: 'chosen-ops-token-123' });
    await waitForHealth(url, 30_000);
    await expect.poll(() => second.output()).toContain('Ops token: the one set in OPS_TOKEN');
    expect(second.output()).not.toContain('chosen-ops-token-123');
    const read = await fetch(`${url}/v1/customers/${created.customerId}`, { headers: { authorization: 'Bearer chosen-ops-token-123' } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as any).name).toBe('Persistent A/S');
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);

    // Without OPS_TOKEN the generated token is back, from DATA_DIR, and is not printed again.
    const third = start(env);
    await waitForHealth(url, 30_000);
    await expect.poll(() => third.output()).toContain(`kept in ${join(dataDir, 'ops-token')}`);
    expect(third.output()).not.toContain(token);
    // The dashboard is built concurrently, so its line may come between the two.
    expect(third.output()).toMatch(/Starting DynamoDB Local on port \d+ \(data in .*\)…\n(?:Customer Dashboard built.*\n)?.*table.*\n/);
    expect(readFileSync(join(dataDir, 'ops-token'), 'utf8').trim()).toBe(token);
    expect((await fetch(`${url}/v1/customers/${created.customerId}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 180_000);

  it('stops the API and DynamoDB Local when `npm start` itself is terminated', async () => {
    const port = await freePort();
    const dynamodbPort = await freePort();
    const npm = spawn('npm', ['start'], {
      env: { ...process.env, PORT: String(port), DYNAMODB_PORT: String(dynamodbPort), DATA_DIR: ':memory:', POWERTOOLS_LOG_LEVEL: 'ERROR' },
      stdio: 'ignore',
    });
    await waitForHealth(`http://127.0.0.1:${port}`, 30_000);
    npm.kill('SIGTERM');
    await expect.poll(() => portAccepts(port), { timeout: 15_000 }).toBe(false);
    await expect.poll(() => portAccepts(dynamodbPort), { timeout: 15_000 }).toBe(false);
  });

  it('leaves no DynamoDB Local behind when the API process is killed with SIGKILL, and starts again on the same data', async () => {
    const port = await freePort();
    const dynamodbPort = await freePort();
    const killedDataDir = mkdtempSync(join(tmpdir(), 'cloud-licensing-kill-'));
    const env = { PORT: String(port), DYNAMODB_PORT: String(dynamodbPort), DATA_DIR: killedDataDir, OPS_TOKEN: 'kill-test-ops-token' };
    const url = `http://127.0.0.1:${port}`;
    try {
      const first = start(env);
      await waitForHealth(url, 30_000);
      const pidFile = join(killedDataDir, 'dynamodb', 'dynamodb-local.pid');
      expect(readFileSync(pidFile, 'utf8')).toMatch(new RegExp(`^\\d+ ${first.child.pid}\n$`));
      const created = await fetch(`${url}/v1/customers`, {
        method: 'POST',
        headers: { authorization: 'Bearer kill-test-ops-token', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Killed A/S', country: 'DK', contacts: [{ name: 'K', email: 'k@example.com' }] }),
      }).then((r) => r.json() as Promise<any>);

      first.child.kill('SIGKILL');
      await first.exited;
      // The watchdog stopped DynamoDB Local; the pid file stays behind, naming a process that is gone.
      await expect.poll(() => portAccepts(dynamodbPort), { timeout: 10_000 }).toBe(false);

      const second = start(env);
      await waitForHealth(url, 30_000);
      expect(readFileSync(pidFile, 'utf8')).toMatch(new RegExp(`^\\d+ ${second.child.pid}\n$`));
      const read = await fetch(`${url}/v1/customers/${created.customerId}`, { headers: { authorization: 'Bearer kill-test-ops-token' } });
      expect(read.status).toBe(200);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(await portAccepts(dynamodbPort)).toBe(false);
      expect(existsSync(pidFile)).toBe(false);
    } finally {
      rmSync(killedDataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('stops a DynamoDB Local that the pid file names and that runs on this data, and nothing else', async () => {
    const leftoverDir = mkdtempSync(join(tmpdir(), 'cloud-licensing-leftover-'));
    const port = await freePort();
    const others: ChildProcess[] = [];
    try {
      // A leftover as a crashed start leaves it: DynamoDB Local on this directory, whose starter is gone.
      const leftover = spawn('java', dynamoDbLocalArguments({ port, dataDir: leftoverDir }), { stdio: 'ignore' });
      others.push(leftover);
      await expect.poll(() => portAccepts(port), { timeout: 30_000 }).toBe(true);
      writeFileSync(join(leftoverDir, 'dynamodb-local.pid'), `${leftover.pid} 999999999\n`);
      const leftoverExit = new Promise((resolve) => leftover.once('exit', resolve));

      const dynamodb = await startDynamoDbLocal({ port, dataDir: leftoverDir });
      await leftoverExit;
      expect(await portAccepts(port)).toBe(true);
      await dynamodb.stop();

      // A pid file naming some other process: that process is left alone.
      const unrelated = spawn('sleep', ['60'], { stdio: 'ignore' });
      others.push(unrelated);
      writeFileSync(join(leftoverDir, 'dynamodb-local.pid'), `${unrelated.pid} 999999999\n`);
      const again = await startDynamoDbLocal({ port, dataDir: leftoverDir });
      expect(unrelated.exitCode).toBeNull();
      expect(unrelated.signalCode).toBeNull();
      await again.stop();
    } finally {
      for (const child of others) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(leftoverDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses, in one line, a DATA_DIR that a running start is using', async () => {
    const sharedDir = mkdtempSync(join(tmpdir(), 'cloud-licensing-shared-'));
    try {
      const port = await freePort();
      const running = start({ PORT: String(port), DYNAMODB_PORT: String(await freePort()), DATA_DIR: sharedDir });
      await waitForHealth(`http://127.0.0.1:${port}`, 30_000);
      const second = start({ PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()), DATA_DIR: sharedDir });
      expect(await second.exited).toBe(1);
      expect(second.output().trim()).toMatch(/^npm start failed: .* is in use by DynamoDB Local of a running start \(process \d+\); stop it first or set another DATA_DIR$/);
      expect((await fetch(`http://127.0.0.1:${port}/v1/health`)).status).toBe(200);
      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
    } finally {
      rmSync(sharedDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('says in one line that a port is taken', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', () => resolve()));
    try {
      const run = start({ PORT: String(port), DYNAMODB_PORT: String(await freePort()), DATA_DIR: ':memory:' });
      expect(await run.exited).toBe(1);
      expect(run.output().trim()).toBe(`npm start failed: API port ${port} is already in use; set another port or stop the process using it`);
    } finally {
      blocker.close();
    }
  });

  it('says in one line that java is missing', async () => {
    const run = start({ PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()), DATA_DIR: ':memory:', PATH: '/nonexistent' });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toMatch(/^npm start failed: java was not found on PATH; DynamoDB Local needs Java 17 or later/);
    expect(run.output().trim().split('\n')).toHaveLength(1);
  });
});
