import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  arn,
  awsJson,
  ServiceError,
  type CellIdentity,
  type PhysicalResource,
  type StandInAnswer,
  type StandInContext,
  type StandInRequest,
  type StandInService,
  type TemplateResource,
} from './service';

type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

interface KeySchema {
  /** Partition key of the table. */
  partitionKey: string;
  /** Partition key of each index. */
  indexes: Record<string, string>;
}

/** Operations whose parts IAM authorises one by one (a transaction needs the actions of its parts). */
const TRANSACT_PARTS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

const stringOf = (value: AttributeValue | undefined): string | undefined => (typeof value?.S === 'string' ? value.S : undefined);

/**
 * DynamoDB stays DynamoDB Local; this recording proxy sits in front of it (the functions' endpoint,
 * AWS_ENDPOINT_URL_DYNAMODB, points here). It checks the signature like every stand-in, records
 * each call as the IAM actions it needs on the table or index (transactions by their parts) with
 * `dynamodb:LeadingKeys`, and passes the request on (signed with the local credentials) and the answer back unchanged, checksum included.
 */
export class DynamoDbProxy implements StandInService {
  readonly name = 'DynamoDB';
  readonly signingName = 'dynamodb';
  readonly endpointEnv = 'AWS_ENDPOINT_URL_DYNAMODB';
  readonly resourceTypes = ['AWS::DynamoDB::GlobalTable', 'AWS::DynamoDB::Table'] as const;
  private readonly schemas = new Map<string, KeySchema>();
  /**
   * DynamoDB Local keeps one database per access key and region: the proxy signs what it forwards
   * with the local credentials every local tool uses, so the functions see the same table as `npm start`.
   */
  private readonly localSigner = new SignatureV4({
    service: 'dynamodb',
    region: 'local',
    sha256: Sha256,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  /**
   * @param target DynamoDB Local's endpoint.
   * @param tableName The local name of the template's table (one table per cell).
   */
  constructor(
    private readonly target: string,
    private readonly tableName: string,
  ) {}

  provision(resource: TemplateResource, cell: CellIdentity): PhysicalResource {
    const hashKey = (schema: unknown) => (schema as Array<{ AttributeName: string; KeyType: string }>).find((key) => key.KeyType === 'HASH')!.AttributeName;
    const indexes = (resource.properties.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string; KeySchema: unknown }>;
    this.schemas.set(this.tableName, {
      partitionKey: hashKey(resource.properties.KeySchema),
      indexes: Object.fromEntries(indexes.map((index) => [index.IndexName, hashKey(index.KeySchema)])),
    });
    const tableArn = arn(cell, 'dynamodb', `table/${this.tableName}`);
    return { ref: this.tableName, attributes: { Arn: tableArn, StreamArn: `${tableArn}/stream/local` } };
  }

  async handle(request: StandInRequest, context: StandInContext): Promise<StandInAnswer> {
    const operation = awsJson.operation(request, 'DynamoDB_20120810');
    this.recordCall(operation, awsJson.input(request), context);
    const target = new URL(this.target);
    const forwarded = await this.localSigner.sign({
      method: 'POST',
      protocol: target.protocol,
      hostname: target.hostname,
      port: Number(target.port),
      path: '/',
      query: {},
      headers: {
        host: target.host,
        'content-type': String(request.headers['content-type'] ?? 'application/x-amz-json-1.0'),
        'x-amz-target': String(request.headers['x-amz-target']),
      },
      body: request.body,
    });
    const response = await fetch(target, { method: 'POST', headers: forwarded.headers, body: request.body });
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'x-amzn-requestid', 'x-amz-crc32']) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    return { status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) };
  }

  errorAnswer(error: ServiceError): StandInAnswer {
    return awsJson.error(error, '1.0');
  }

  private tableArn(context: StandInContext, table: unknown, index?: unknown): string {
    const base = arn(context, 'dynamodb', `table/${String(table)}`);
    return index ? `${base}/index/${String(index)}` : base;
  }

  /** The partition key values a request touches (IAM's dynamodb:LeadingKeys). */
  private leadingKeys(table: unknown, items: Array<Item | undefined>): string[] {
    const schema = this.schemas.get(String(table));
    if (!schema) return [];
    return [...new Set(items.map((item) => stringOf(item?.[schema.partitionKey])).filter((key): key is string => key !== undefined))];
  }

  /** The value a Query's key condition binds the (table's or index's) partition key to. */
  private queryLeadingKey(input: Record<string, unknown>): string[] {
    const schema = this.schemas.get(String(input.TableName));
    if (!schema) return [];
    const partitionKey = input.IndexName ? schema.indexes[String(input.IndexName)] : schema.partitionKey;
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    const values = (input.ExpressionAttributeValues ?? {}) as Item;
    for (const [, name, value] of String(input.KeyConditionExpression ?? '').matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
      if ((names[name!] ?? name) === partitionKey) {
        const key = stringOf(values[value!]);
        return key === undefined ? [] : [key];
      }
    }
    return [];
  }

  private recordCall(operation: string, input: Record<string, any>, context: StandInContext): void {
    const record = (action: string, table: unknown, keys: string[], index?: unknown) =>
      context.record({ action: `dynamodb:${action}`, resource: this.tableArn(context, table, index), context: { 'dynamodb:LeadingKeys': keys } });
    switch (operation) {
      case 'GetItem':
      case 'DeleteItem':
      case 'UpdateItem':
        return record(operation, input.TableName, this.leadingKeys(input.TableName, [input.Key]));
      case 'PutItem':
        return record(operation, input.TableName, this.leadingKeys(input.TableName, [input.Item]));
      case 'Query':
        return record(operation, input.TableName, this.queryLeadingKey(input), input.IndexName);
      case 'Scan':
        return record(operation, input.TableName, [], input.IndexName);
      case 'BatchGetItem':
        for (const [table, request] of Object.entries(input.RequestItems ?? {}) as Array<[string, { Keys: Item[] }]>) {
          record(operation, table, this.leadingKeys(table, request.Keys));
        }
        return;
      case 'BatchWriteItem':
        for (const [table, requests] of Object.entries(input.RequestItems ?? {}) as Array<[string, Array<Record<string, any>>]>) {
          record(operation, table, this.leadingKeys(table, requests.map((entry) => entry.PutRequest?.Item ?? entry.DeleteRequest?.Key)));
        }
        return;
      case 'TransactWriteItems':
      case 'TransactGetItems':
        for (const entry of (input.TransactItems ?? []) as Array<Record<string, any>>) {
          const [part, body] = Object.entries(entry)[0] as [string, Record<string, any>];
          const action = TRANSACT_PARTS[part];
          if (!action) throw new ServiceError('ValidationException', `Unknown transaction part ${part}`);
          record(action, body.TableName, this.leadingKeys(body.TableName, [body.Key ?? body.Item]));
        }
        return;
      default:
        return record(operation, input.TableName, []);
    }
  }
}
