import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../shared/adapters/observability';
import { useApi } from '../support/api';
import { injectDynamoFaults } from '../support/dynamo-faults';
import { seedLicense } from '../support/seed';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
});

/** Errors in logs are their name and code only: no stack trace, no message, no other field. */
const api = useApi();
const faults = injectDynamoFaults();
afterAll(() => faults.remove());

let captured = '';
const originals = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
beforeAll(() => {
  logger.setLogLevel('INFO');
  const tap = ((chunk: unknown, ...rest: unknown[]) => {
    captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    (rest.find((argument) => typeof argument === 'function') as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = tap;
  process.stderr.write = tap;
});
afterAll(() => {
  process.stdout.write = originals.stdout;
  process.stderr.write = originals.stderr;
  logger.setLogLevel('SILENT');
});
afterEach(() => {
  captured = '';
});

const lines = () =>
  captured
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);

function expectNoTrace(text: string) {
  expect(text).not.toMatch(/"stack"|"location"|\bat .+:\d+:\d+/);
  expect(text).not.toContain('injected fault');
  expect(text).not.toContain('$metadata');
}

describe('error logging', () => {
  it('an unhandled DynamoDB error is logged by name, and the client gets the bare 500 envelope', async () => {
    const license = await seedLicense();
    faults.reset({ layer: 'application', timing: 'before', at: 1 });
    const answer = await api.ops('GET', `/v1/licenses/${license.slc}`);
    faults.reset();
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ error: { code: 'internal_error', message: 'The service could not complete the request.' } });
    const unhandled = lines().find((line) => line.message === 'Unhandled error');
    expect(unhandled?.error).toEqual({ name: 'ProvisionedThroughputExceededException' });
    expectNoTrace(captured);
  });

  it('an error with a code keeps the code, and nothing of its message, fields or cause', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:443 for secret-token-abc'), {
      code: 'ECONNREFUSED',
      address: '10.1.2.3',
      cause: new Error('inner secret-token-abc'),
    });
    logger.error('dependency failed', { error });
    logger.warn('passed alone', error);
    const [first, second] = lines().filter((line) => line.level !== 'INFO');
    expect(first!.error).toEqual({ name: 'Error', code: 'ECONNREFUSED' });
    expect(second!.error).toEqual({ name: 'Error', code: 'ECONNREFUSED' });
    expect(captured).not.toContain('secret-token-abc');
    expect(captured).not.toContain('10.1.2.3');
    expectNoTrace(captured);
  });
});
