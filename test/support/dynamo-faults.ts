import { store } from '../../shared/store/client';

/**
 * Fault injection into the service's DynamoDB client (SDK middleware; DynamoDB Local itself is
 * real). One fault at a time, at the Nth DynamoDB call of a request, counted over every command
 * (reads and writes):
 *
 * - `layer: 'application'`: the error reaches the service's code, as when the SDK has given up;
 * - `layer: 'sdk'`: the error happens inside the SDK's retry loop, which retries the same command.
 *
 * - `timing: 'before'`: the call never reached DynamoDB (nothing was written);
 * - `timing: 'after'`: DynamoDB executed the call (a write committed) and the answer was lost.
 */
export type FaultLayer = 'application' | 'sdk';
export type FaultTiming = 'before' | 'after';

export interface Fault {
  layer: FaultLayer;
  timing: FaultTiming;
  /** 1-based position among the DynamoDB calls counted at that layer. */
  at: number;
}

/** The combinations every position is tried with. */
export const FAULT_VARIANTS: ReadonlyArray<Omit<Fault, 'at'>> = [
  { layer: 'application', timing: 'before' },
  { layer: 'application', timing: 'after' },
  { layer: 'sdk', timing: 'before' },
  { layer: 'sdk', timing: 'after' },
];

const describeFault = (fault: Fault) => `${fault.layer}/${fault.timing}@${fault.at}`;
export { describeFault };

function injectedError(fault: Fault): Error {
  if (fault.timing === 'after') {
    // The answer never came: the SDK classifies this as transient and retries it.
    return Object.assign(new Error(`injected fault (${describeFault(fault)}): the response was lost`), { name: 'TimeoutError' });
  }
  // DynamoDB refused the call: a throttle (application layer) or an internal error (SDK layer, retried).
  return fault.layer === 'application'
    ? Object.assign(new Error(`injected fault (${describeFault(fault)}): throughput exceeded`), {
        name: 'ProvisionedThroughputExceededException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      })
    : Object.assign(new Error(`injected fault (${describeFault(fault)}): internal server error`), {
        name: 'InternalServerError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      });
}

export function injectDynamoFaults() {
  const state = {
    fault: undefined as Fault | undefined,
    calls: { application: 0, sdk: 0 } as Record<FaultLayer, number>,
    commands: [] as string[],
    injected: 0,
  };
  const { client } = store();
  const layerMiddleware = (layer: FaultLayer) => (next: any, context: any) => async (args: any) => {
    const position = ++state.calls[layer];
    if (layer === 'application') state.commands.push(String(context.commandName ?? ''));
    const fault = state.fault;
    if (!fault || fault.layer !== layer || fault.at !== position) return next(args);
    state.injected++;
    if (fault.timing === 'before') throw injectedError(fault);
    await next(args);
    throw injectedError(fault);
  };
  // 'initialize' runs once per command, above the retry middleware; 'deserialize' once per attempt, below it.
  client.middlewareStack.add(layerMiddleware('application'), { step: 'initialize', name: 'faultsApplicationLayer', priority: 'high' });
  client.middlewareStack.add(layerMiddleware('sdk'), { step: 'deserialize', name: 'faultsSdkLayer', priority: 'high' });
  return {
    state,
    /** Starts counting afresh; with a fault, arms it. */
    reset(fault?: Fault) {
      state.fault = fault;
      state.calls = { application: 0, sdk: 0 };
      state.commands = [];
      state.injected = 0;
    },
    remove() {
      client.middlewareStack.remove('faultsApplicationLayer');
      client.middlewareStack.remove('faultsSdkLayer');
    },
  };
}
