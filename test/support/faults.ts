import { store } from '../../shared/store/client';
import { LEASE_RENEWAL_UPDATE } from '../../shared/store/installations';

const WRITE_COMMANDS = /^(Put|Update|Delete|TransactWrite|BatchWrite)/;

/**
 * A lease renewal runs on a timer beside the device writes, so whether one happens depends on how
 * fast the machine is: counting it would shift every write position between two identical runs.
 * Renewals are counted on their own and never failed by position.
 */
function isLeaseRenewal(input: unknown): boolean {
  return (input as { UpdateExpression?: string } | undefined)?.UpdateExpression === LEASE_RENEWAL_UPDATE;
}

/**
 * Counts the DynamoDB requests the shared client sends and fails a chosen write, by its position
 * among writes: fault injection without mocking DynamoDB itself.
 */
export function instrumentStore() {
  const state = { requests: 0, writes: 0, leaseRenewals: 0, failWriteNumber: 0, failAllFrom: false, delayWriteNumber: 0, delayMs: 0, failures: 0, commands: [] as string[] };
  const { client } = store();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? '');
      state.requests++;
      state.commands.push(command);
      if (isLeaseRenewal((args as { input?: unknown }).input)) {
        state.leaseRenewals++;
        if (state.failAllFrom && state.failWriteNumber > 0 && state.writes >= state.failWriteNumber) throw injectedTimeout();
      } else if (WRITE_COMMANDS.test(command)) {
        state.writes++;
        if (state.writes === state.failWriteNumber || (state.failAllFrom && state.failWriteNumber > 0 && state.writes >= state.failWriteNumber)) {
          state.failures++;
          throw injectedTimeout();
        }
        if (state.writes === state.delayWriteNumber) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
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
    /** The given write is sent only after `ms`: a slow day for DynamoDB, or a slow network. */
    delayWrite(writeNumber: number, ms: number) {
      this.reset();
      state.delayWriteNumber = writeNumber;
      state.delayMs = ms;
    },
    reset(failWriteNumber = 0) {
      state.delayWriteNumber = 0;
      state.delayMs = 0;
      state.failAllFrom = false;
      state.requests = 0;
      state.writes = 0;
      state.leaseRenewals = 0;
      state.failures = 0;
      state.commands = [];
      state.failWriteNumber = failWriteNumber;
    },
    remove() {
      client.middlewareStack.remove('testFaultInjection');
    },
  };
}

function injectedTimeout(): Error {
  return Object.assign(new Error('injected fault: the request timed out'), { name: 'TimeoutError', $retryable: undefined });
}
