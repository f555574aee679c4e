import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { EventBus } from '../shared/adapters/event-bus';
import type { StreamRecord } from '../shared/store/events';
import { publishStreamRecords } from '../shared/use-cases/publish-events';

/** Where the publisher is in the stream: per shard, the last record done, or that the shard is finished. */
export interface Checkpoint {
  streamArn?: string;
  shards: Record<string, { sequenceNumber?: string; finished?: boolean }>;
}

/** Keeps the checkpoint; `save` must be durable when it resolves (a restart reads what was saved). */
export interface CheckpointStore {
  load(): Checkpoint;
  save(checkpoint: Checkpoint): void;
}

/** A checkpoint file, replaced atomically (write, then rename) after every put to the bus. */
export function fileCheckpoint(path: string): CheckpointStore {
  return {
    load: () => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Checkpoint) : { shards: {} }),
    save: (checkpoint) => {
      writeFileSync(`${path}.tmp`, JSON.stringify(checkpoint));
      renameSync(`${path}.tmp`, path);
    },
  };
}

export function memoryCheckpoint(): CheckpointStore & { current: Checkpoint } {
  const store = {
    current: { shards: {} } as Checkpoint,
    load: () => structuredClone(store.current),
    save: (checkpoint: Checkpoint) => void (store.current = structuredClone(checkpoint)),
  };
  return store;
}

export interface StreamPublisherOptions {
  endpoint: string;
  tableName: string;
  bus: EventBus;
  checkpoint: CheckpointStore;
  /** Pause between polls when the stream has nothing new. */
  idleMs?: number;
  /** Pause after a failed put before the same records are tried again. */
  retryMs?: number;
}

export interface StreamPublisher {
  /** Resolves when the loop has stopped. */
  stop(): Promise<void>;
  /** Resolves once every record in the stream when called has been published (tests and the bench). */
  drained(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The local twin of the publisher Lambda: reads DynamoDB Local's stream of the table (DescribeStream,
 * GetShardIterator, GetRecords), hands the records to the same publishStreamRecords the Lambda runs,
 * and checkpoints each shard's sequence number after every put the bus accepted. A shard is read
 * after its parent is finished, so per license the order is the stream's.
 *
 * Guarantee: after a crash and restart the publisher resumes after the last checkpoint, so each event
 * is put on the bus once, except an event whose put was accepted in the moment before the crash and
 * not yet checkpointed: it is put again, with the same eventId (at least once, never lost). Consumers
 * of the bus deduplicate by eventId (the webhook deliveries do, with a conditional write).
 */
export function startStreamPublisher(options: StreamPublisherOptions): StreamPublisher {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamodb = new DynamoDBClient({ endpoint: options.endpoint, region: 'local', credentials });
  const streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region: 'local', credentials });
  const idleMs = options.idleMs ?? 100;
  const retryMs = options.retryMs ?? 1000;
  let stopping = false;
  let checkpoint = options.checkpoint.load();
  const iterators = new Map<string, string>();
  let waiters: Array<{ resolve: () => void }> = [];

  const streamArn = async (): Promise<string> => {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
    if (!Table?.LatestStreamArn) throw new Error(`the table ${options.tableName} has no stream`);
    return Table.LatestStreamArn;
  };

  const listShards = async (arn: string): Promise<Shard[]> => {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn, ExclusiveStartShardId: start }));
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  };

  const iteratorFor = async (arn: string, shardId: string): Promise<string | undefined> => {
    const known = iterators.get(shardId);
    if (known) return known;
    const after = checkpoint.shards[shardId]?.sequenceNumber;
    const request = after
      ? { StreamArn: arn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: after }
      : { StreamArn: arn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' as const };
    try {
      return (await streams.send(new GetShardIteratorCommand(request))).ShardIterator;
    } catch (error) {
      // Past the stream's 24-hour retention: what is left is read from the oldest record.
      if (!(error instanceof TrimmedDataAccessException)) throw error;
      return (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    }
  };

  const save = (shardId: string, change: { sequenceNumber?: string; finished?: boolean }) => {
    checkpoint = { ...checkpoint, shards: { ...checkpoint.shards, [shardId]: { ...checkpoint.shards[shardId], ...change } } };
    options.checkpoint.save(checkpoint);
  };

  /** Reads one batch of one shard and publishes it; true when it read records. */
  const pollShard = async (arn: string, shardId: string): Promise<boolean> => {
    const iterator = await iteratorFor(arn, shardId);
    if (!iterator) {
      save(shardId, { finished: true });
      return false;
    }
    let result;
    try {
      result = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
    } catch (error) {
      if (error instanceof ExpiredIteratorException) {
        iterators.delete(shardId);
        return false;
      }
      throw error;
    }
    const records = (result.Records ?? []) as StreamRecord[];
    if (records.length > 0) {
      const outcome = await publishStreamRecords(records, options.bus, (sequenceNumber) => save(shardId, { sequenceNumber }));
      if (outcome.firstFailed) {
        // Resume at the first record not published, after a pause.
        iterators.delete(shardId);
        await sleep(retryMs);
        return true;
      }
      save(shardId, { sequenceNumber: records[records.length - 1]!.dynamodb!.SequenceNumber! });
    }
    if (result.NextShardIterator) iterators.set(shardId, result.NextShardIterator);
    else {
      iterators.delete(shardId);
      save(shardId, { finished: true });
    }
    return records.length > 0;
  };

  /** One pass over the shards a reader may take now (parents finished); true when any had records. */
  const pass = async (): Promise<boolean> => {
    const arn = await streamArn();
    if (checkpoint.streamArn !== arn) {
      // A new stream (a new table): nothing of the old one's positions applies.
      checkpoint = { streamArn: arn, shards: {} };
      iterators.clear();
      options.checkpoint.save(checkpoint);
    }
    const shards = await listShards(arn);
    const known = new Set(shards.map((shard) => shard.ShardId));
    let busy = false;
    for (const shard of shards) {
      const shardId = shard.ShardId!;
      if (checkpoint.shards[shardId]?.finished) continue;
      const parent = shard.ParentShardId;
      if (parent && known.has(parent) && !checkpoint.shards[parent]?.finished) continue;
      busy = (await pollShard(arn, shardId)) || busy;
    }
    return busy;
  };

  const loop = (async () => {
    while (!stopping) {
      let busy = false;
      try {
        busy = await pass();
      } catch (error) {
        if (!stopping) console.error(`event publisher: ${(error as Error).message}; retrying`);
        await sleep(retryMs);
        continue;
      }
      if (!busy) {
        const ready = waiters;
        waiters = [];
        for (const waiter of ready) waiter.resolve();
        await sleep(idleMs);
      }
    }
  })();

  return {
    stop: async () => {
      stopping = true;
      await loop;
      dynamodb.destroy();
      streams.destroy();
    },
    drained: () =>
      new Promise<void>((resolve) => {
        // Two idle passes after the call: the records written before it have been read.
        let idle = 0;
        const wait = () => waiters.push({ resolve: () => (++idle >= 2 ? resolve() : wait()) });
        wait();
      }),
  };
}
