import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startLocalStack } from '../local/stack';
import { LocalStartError } from '../local/dynamodb-local';
import { buildDashboard } from './build-dashboard';

/** `LOCAL_RUNTIME=bundles`: the API through the synthesized Lambda bundles and the AWS stand-ins (local/bundles/). */
async function startStack(options: { port: number; dynamodbPort: number; dataDir: string; onProgress: (message: string) => void }) {
  const runtime = process.env.LOCAL_RUNTIME ?? 'embedded';
  if (runtime === 'embedded') return startLocalStack(options);
  if (runtime === 'bundles') return (await import('../local/bundles/runtime')).startBundleStack(options);
  throw new LocalStartError(`LOCAL_RUNTIME must be "embedded" or "bundles", not "${runtime}"`);
}

const port = Number(process.env.PORT ?? 3000);
const dynamodbPort = Number(process.env.DYNAMODB_PORT ?? 8000);
const dataDir = process.env.DATA_DIR ?? '.data';

try {
  // The API does not wait for the dashboard: health is ready while the build finishes (the dashboard answers 503 until then).
  // The bundle runtime builds it before it synthesizes the template (the dashboard's files are one of its assets).
  // DASHBOARD_PREBUILT=1 serves the dashboard/dist already built (the tests build it once, then start the service many times).
  const prebuilt = process.env.DASHBOARD_PREBUILT === '1' && existsSync(fileURLToPath(new URL('../dashboard/dist/index.html', import.meta.url)));
  const dashboardBuilt =
    process.env.LOCAL_RUNTIME === 'bundles' || prebuilt
      ? Promise.resolve()
      : buildDashboard().then(
          () => console.log('Customer Dashboard built'),
          (error: Error) => console.error(`The Customer Dashboard could not be built: ${error.message}`),
        );
  const stack = await startStack({ port, dynamodbPort, dataDir, onProgress: (message) => console.log(message) });
  console.log(`Cloud Licensing API listening on ${stack.apiUrl} (DynamoDB Local on port ${dynamodbPort}, data in ${dataDir})`);
  console.log(`Customer Dashboard at ${stack.apiUrl}/ (user pool stand-in at ${stack.userPool.endpoint})`);
  // A supplied token is never printed; a generated one only by the start that generated it.
  if (stack.opsTokenSource === 'generated') {
    console.log(`Ops token: ${stack.opsToken} (generated${stack.opsTokenFile ? `; kept in ${stack.opsTokenFile} and not printed again` : ' for this run'})`);
  } else if (stack.opsTokenSource === 'kept') {
    console.log(`Ops token: the one generated at the first start, kept in ${stack.opsTokenFile}`);
  } else {
    console.log('Ops token: the one set in OPS_TOKEN');
  }
  console.log(`API reference: ${stack.apiUrl}/docs`);
  await dashboardBuilt;
  let stopping = false;
  const stop = async (cause: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${cause}, stopping the API and DynamoDB Local`);
    await stack.stop();
    process.exit(0);
  };
  void stack.dynamodb.unexpectedExit.then(async (reason) => {
    console.error(`${reason}\nStopping the API.`);
    await stack.stop();
    process.exit(1);
  });
  // A wrapper that dies without passing the signal on (npm, a shell) leaves this process orphaned:
  // stop too, so that DynamoDB Local never outlives the command that started it.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop('The command that started the API has exited');
  }, 1000).unref();
  process.on('SIGINT', () => void stop('SIGINT received'));
  process.on('SIGTERM', () => void stop('SIGTERM received'));
} catch (error) {
  console.error(`npm start failed: ${error instanceof LocalStartError ? error.message : (error as Error).stack}`);
  process.exit(1);
}
