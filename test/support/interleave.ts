import { store } from '../../shared/store/client';

/** An initialize-step middleware of the SDK, as far as these tests use it. */
type Middleware = (
  next: (args: { input: object }) => Promise<unknown>,
  context: { commandName?: string },
) => (args: { input: object }) => Promise<unknown>;

/** Runs `body` with a middleware on the service's DynamoDB client (interleavings and injected refusals). */
export function withMiddleware<T>(name: string, middleware: Middleware, body: () => Promise<T>): Promise<T> {
  const { client } = store();
  // The stack's overloads cannot be named from outside the SDK; the shape above is the initialize step's.
  client.middlewareStack.add(middleware as never, { step: 'initialize', name, priority: 'high' });
  return body().finally(() => client.middlewareStack.remove(name));
}

/**
 * A middleware that runs `hook` once, right after an activation of the installation has committed
 * its allocation (the transaction that moves the license's counters and names the installation),
 * before that activation writes its devices.
 */
export function afterAllocationCommit(installationId: string, hook: () => Promise<void>): Middleware {
  let armed = true;
  return (next, context) => async (args) => {
    const result = await next(args);
    const input = JSON.stringify(args.input);
    if (armed && context.commandName === 'TransactWriteItemsCommand' && input.includes(`INSTALLATION#${installationId}`) && input.includes('usedDeviceLicenses')) {
      armed = false;
      await hook();
    }
    return result;
  };
}
