/**
 * One Lambda execution environment of the bundle runtime (local/bundles/pool.ts forks it): Node.js
 * runs this file directly (type stripping, no loader), with the function's environment, in its asset
 * directory as the task root. It loads the handler module named by `_HANDLER` (the template's
 * handler string: `index.handler` → index.mjs, index.js or index.cjs, then the export), reports the
 * init time, and runs one invocation at a time with the Lambda context object, as Lambda does.
 * It imports nothing of the project.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Invoke {
  type: 'invoke';
  id: string;
  requestId: string;
  event: unknown;
  deadline: number;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const send = (message: unknown) => process.send!(message);
const errorOf = (error: unknown) => ({
  errorType: error instanceof Error ? error.name : 'Error',
  errorMessage: error instanceof Error ? error.message : String(error),
});

async function loadHandler(): Promise<Handler> {
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const spec = process.env._HANDLER ?? '';
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw Object.assign(new Error(`Bad handler ${spec}`), { name: 'Runtime.MalformedHandlerName' });
  const moduleName = spec.slice(0, dot);
  const exportName = spec.slice(dot + 1);
  const file = ['.mjs', '.js', '.cjs'].map((extension) => join(taskRoot, `${moduleName}${extension}`)).find((candidate) => existsSync(candidate));
  if (!file) throw Object.assign(new Error(`Cannot find module '${moduleName}'`), { name: 'Runtime.ImportModuleError' });
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const handler = module[exportName];
  if (typeof handler !== 'function') throw Object.assign(new Error(`${spec} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  return handler as Handler;
}

function contextFor(message: Invoke) {
  const env = process.env;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: env.LOCAL_LAMBDA_FUNCTION_ARN,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const started = performance.now();
let handler: Handler;
try {
  handler = await loadHandler();
  send({ type: 'ready', initMs: performance.now() - started });
} catch (error) {
  send({ type: 'init-error', ...errorOf(error) });
  process.disconnect();
  process.exitCode = 1;
}

process.on('message', async (message: Invoke) => {
  if (message.type !== 'invoke') return;
  try {
    const result = await handler(message.event, contextFor(message));
    send({ type: 'result', id: message.id, result });
  } catch (error) {
    send({ type: 'error', id: message.id, ...errorOf(error) });
  }
});
