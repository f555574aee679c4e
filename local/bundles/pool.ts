import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** Why an invocation failed where Lambda, not the function, answers (API Gateway then answers 500). */
export class InvocationError extends Error {
  constructor(
    readonly functionName: string,
    readonly cause_: string,
  ) {
    super(`${functionName}: ${cause_}`);
  }
}

export interface PoolOptions {
  /** The function's name (the template's logical id). */
  name: string;
  /** The complete environment of the execution environment (Lambda's variables and the function's). */
  environment: Record<string, string>;
  taskRoot: string;
  memorySize: number;
  /** Seconds. */
  timeout: number;
  /** Execution environments at most at once (Lambda's concurrency, capped for one machine). */
  maxConcurrency: number;
  /** Every line the function writes (Lambda sends them to CloudWatch Logs). */
  log(line: string): void;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/** One forked execution environment. */
class Environment {
  readonly child: ChildProcess;
  readonly ready: Promise<number>;
  busy = false;
  private pending: Pending | undefined;
  private exited = false;

  constructor(private readonly options: PoolOptions) {
    this.child = fork(WORKER, [], {
      execPath: process.execPath,
      // Lambda sizes the V8 heap from the function's memory.
      execArgv: [`--max-old-space-size=${Math.floor(options.memorySize * 0.9)}`],
      cwd: options.taskRoot,
      env: options.environment,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) createInterface({ input: stream }).on('line', (line) => options.log(line));
    this.ready = new Promise<number>((resolve, reject) => {
      this.child.on('message', (message: { type: string; id?: string; initMs?: number; result?: unknown; errorType?: string; errorMessage?: string }) => {
        if (message.type === 'ready') resolve(message.initMs!);
        else if (message.type === 'init-error') reject(new InvocationError(options.name, `init failed: ${message.errorType}: ${message.errorMessage}`));
        else if (message.type === 'result') this.settle((pending) => pending.resolve(message.result));
        else if (message.type === 'error') this.settle((pending) => pending.reject(new InvocationError(options.name, `the handler failed: ${message.errorType}: ${message.errorMessage}`)));
      });
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        const error = new InvocationError(options.name, `the runtime exited (code ${code}, signal ${signal})`);
        reject(error);
        this.settle((pending) => pending.reject(error));
      });
    });
    this.ready.catch(() => undefined);
  }

  get alive(): boolean {
    return !this.exited;
  }

  async invoke(event: unknown): Promise<unknown> {
    await this.ready;
    const timeoutMs = this.options.timeout * 1000;
    const result = new Promise<unknown>((resolve, reject) => (this.pending = { resolve, reject }));
    const timer = setTimeout(() => {
      this.settle((pending) => pending.reject(new InvocationError(this.options.name, `Task timed out after ${this.options.timeout} seconds`)));
      // Lambda resets an execution environment that timed out.
      this.kill();
    }, timeoutMs);
    this.child.send({ type: 'invoke', id: randomUUID(), requestId: randomUUID(), event, deadline: Date.now() + timeoutMs });
    try {
      return await result;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  stopped(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  private settle(action: (pending: Pending) => void): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) action(pending);
  }
}

/**
 * One cold start, measured: a fresh execution environment of the function loads its module (init)
 * and answers one event (the first request: its secret and key fetches included), then is stopped.
 */
export async function coldStart(options: PoolOptions, event: unknown): Promise<{ initMs: number; firstRequestMs: number; result: unknown }> {
  const environment = new Environment(options);
  try {
    const initMs = await environment.ready;
    const started = performance.now();
    const result = await environment.invoke(event);
    return { initMs, firstRequestMs: performance.now() - started, result };
  } finally {
    environment.kill();
    await environment.stopped();
  }
}

/**
 * The execution environments of one function: an invocation takes an idle one, or starts a new one
 * (a cold start) while fewer than `maxConcurrency` run, or waits for one to be free. One invocation
 * at a time per environment, as in Lambda.
 */
export class FunctionPool {
  private readonly environments: Environment[] = [];
  private readonly waiting: Array<(environment: Environment) => void> = [];

  constructor(readonly options: PoolOptions) {}

  /** Starts an execution environment ahead of the first request; resolves to its init time in ms. */
  warm(): Promise<number> {
    const environment = new Environment(this.options);
    this.environments.push(environment);
    return environment.ready;
  }

  async invoke(event: unknown): Promise<unknown> {
    const environment = await this.acquire();
    try {
      return await environment.invoke(event);
    } finally {
      environment.busy = false;
      this.release(environment);
    }
  }

  async stop(): Promise<void> {
    for (const environment of this.environments) environment.kill();
    await Promise.all(this.environments.map((environment) => environment.stopped()));
  }

  private async acquire(): Promise<Environment> {
    this.prune();
    const idle = this.environments.find((environment) => !environment.busy);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (this.environments.length < this.options.maxConcurrency) {
      const created = new Environment(this.options);
      created.busy = true;
      this.environments.push(created);
      return created;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(environment: Environment): void {
    this.prune();
    const next = this.waiting.shift();
    if (!next) return;
    const handOver = environment.alive ? environment : this.environments.find((candidate) => !candidate.busy) ?? new Environment(this.options);
    if (!this.environments.includes(handOver)) this.environments.push(handOver);
    handOver.busy = true;
    next(handOver);
  }

  /** Environments that exited (init failure, timeout, crash) are replaced by new ones on demand. */
  private prune(): void {
    for (let index = this.environments.length - 1; index >= 0; index--) {
      if (!this.environments[index]!.alive) this.environments.splice(index, 1);
    }
  }
}
