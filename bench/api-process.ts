/**
 * The local stack (DynamoDB Local and the API) in a process of its own, for the throughput bench: the
 * load generator runs elsewhere, so this process's memory and CPU are the API's. Over IPC it reports
 * where it listens, and on request its memory and the DynamoDB requests its handlers have made.
 */
import { freePort } from '../local/dynamodb-local';
import { LOCAL_TABLE_NAME, startLocalStack } from '../local/stack';

process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const stack = await startLocalStack({ port: await freePort(), dynamodbPort: await freePort(), dataDir: ':memory:' });
const { store } = await import('../shared/store/client');

const counted = { requests: 0, writes: 0 };
store().client.middlewareStack.add(
  (next, context) => async (args) => {
    counted.requests++;
    if (/^(Put|Update|Delete|TransactWrite|BatchWrite)/.test(String(context.commandName))) counted.writes++;
    return next(args);
  },
  { step: 'initialize', name: 'benchCount', priority: 'low' },
);

export interface ApiProcessSample {
  type: 'sample';
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  dynamoRequests: number;
  dynamoWrites: number;
  /** CPU time of this process (user + system) since it started, in milliseconds. */
  cpuMs: number;
  at: number;
}

process.on('message', async (message: { type: string }) => {
  if (message.type === 'sample') {
    const memory = process.memoryUsage();
    process.send!({
      type: 'sample',
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      dynamoRequests: counted.requests,
      dynamoWrites: counted.writes,
      cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      at: performance.now() + performance.timeOrigin,
    } satisfies ApiProcessSample);
  }
  if (message.type === 'stop') {
    await stack.stop();
    process.exit(0);
  }
});

process.send!({ type: 'ready', apiUrl: stack.apiUrl, opsToken: stack.opsToken, dynamodbEndpoint: stack.dynamodb.endpoint, tableName: LOCAL_TABLE_NAME });
