import { store } from '../../shared/store/client';

const WRITE_COMMANDS = /^(Put|Update|Delete|TransactWrite|BatchWrite)/;

/**
 * Counts the DynamoDB requests the shared client sends and fails a chosen write, by its position
 * among writes: fault injection without mocking DynamoDB itself.
 */
export function instrumentStore() {
  const state = { requests: 0, writes: 0, failWriteNumber: 0, failAllFrom: false, failures: 0, commands: [] as string[] };
  const { client } = store();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? '');
      state.requests++;
      state.commands.push(command);
      if (WRITE_COMMANDS.test(command)) {
        state.writes++;
        if (state.writes === state.failWriteNumber || (state.failAllFrom && state.failWriteNumber > 0 && state.writes >= state.failWriteNumber)) {
          state.failures++;
          throw Object.assign(new Error('injected fault: the request timed out'), { name: 'TimeoutError', $retryable: undefined });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'testFaultInjection', priority: 'high' },
  );
  return {
    state,
    /** Every write from the given one on fails: the process is as good as dead from there. */
    crashAt(failWriteNumber: number) {
      this.reset(failWriteNumber);
      state.failAllFrom = true;
    },
    reset(failWriteNumber = 0) {
      state.failAllFrom = false;
      state.requests = 0;
      state.writes = 0;
      state.failures = 0;
      state.commands = [];
      state.failWriteNumber = failWriteNumber;
    },
    remove() {
      client.middlewareStack.remove('testFaultInjection');
    },
  };
}
