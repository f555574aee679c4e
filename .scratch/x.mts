import { startDynamoDbLocal, freePort } from '../local/dynamodb-local';
import { DynamoDBClient, DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, DescribeStreamCommand, GetShardIteratorCommand, GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';
import { ensureTable } from '../shared/store/create-table';
const d = await startDynamoDbLocal({ port: await freePort(), dataDir: ':memory:' });
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const c = new DynamoDBClient({ endpoint: d.endpoint, region: 'local', credentials });
const s = new DynamoDBStreamsClient({ endpoint: d.endpoint, region: 'local', credentials });
try {
await ensureTable(c, 'tab1');
await c.send(new PutItemCommand({ TableName: 'tab1', Item: { pk: { S: 'a' }, sk: { S: 'b' }, type: { S: 'event' }, n: { NULL: true }, m: { M: {} }, l: { L: [] }, b: { BOOL: false }, nn: { N: '5' } } }));
const t = await c.send(new DescribeTableCommand({ TableName: 'tab1' }));
console.log(t.Table?.LatestStreamArn, t.Table?.StreamSpecification);
const ds = await s.send(new DescribeStreamCommand({ StreamArn: t.Table!.LatestStreamArn! }));
console.log(JSON.stringify(ds.StreamDescription?.Shards));
const sh = ds.StreamDescription!.Shards![0]!;
const it = await s.send(new GetShardIteratorCommand({ StreamArn: t.Table!.LatestStreamArn!, ShardId: sh.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
const r = await s.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator!, Limit: 100 }));
console.log(JSON.stringify(r.Records![0]!.dynamodb!.NewImage));
} catch (e) { console.error('ERR', e); }
await d.stop();
