import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { SIGNING_KEYS_PARTITION } from '../../shared/store/keys';
import { tableDefinition, type IndexName } from '../../shared/store/table-definition';

/**
 * What each function may do with the table, from evidence: the actions its code calls, found by the
 * IAM test (test/api/iam-evidence.test.ts) from a recorded run of every route through the bundle
 * runtime, on the table and on the indexes it queries, and nothing else (no `dynamodb:*`, no Scan,
 * no item action on an index). Transactions are authorised through the actions of their parts, so
 * TransactWriteItems needs PutItem/UpdateItem/DeleteItem/ConditionCheckItem as its parts use them.
 * The few grants that run does not reach are listed with their reason in the test.
 */
const READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;
export const TABLE_ACCESS = {
  /** The health check reads one item; GET /v1/keys is granted separately (grantSigningKeysRead). */
  public: { table: ['dynamodb:GetItem'], queriedIndexes: [] },
  ops: { table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'], queriedIndexes: ['gsi1', 'gsi2'] },
  partner: { table: [...READ, ...WRITE], queriedIndexes: ['gsi1'] },
  activation: { table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem'], queriedIndexes: ['gsi2'] },
  installation: { table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'], queriedIndexes: [] },
  /**
   * The stream-fed workers run from the local events pipeline, not as bundles, so their grants are
   * from reading their store calls (a stated exception in the IAM test): the webhook worker reads
   * webhooks, licenses and events and writes its delivery records; the reminder job queries the
   * schedule, reads licenses and customers and records each reminder in one transaction.
   */
  webhooks: { table: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], queriedIndexes: [] },
  reminders: { table: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'], queriedIndexes: [] },
} as const satisfies Record<string, { table: readonly string[]; queriedIndexes: readonly IndexName[] }>;

export type TableAccess = keyof typeof TABLE_ACCESS;

/**
 * The single table, built from the one definition in shared/store/table-definition.ts: on-demand,
 * point-in-time recovery, deletion protection, encrypted with the AWS managed KMS key, TTL on
 * `expiresAt`, and the overloaded GSIs with all attributes projected.
 */
export class LicensingTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryptionV2.awsManagedKey(),
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      // The event publisher reads the stream (cdk/constructs/event-delivery.ts).
      dynamoStream: StreamViewType[tableDefinition.streamViewType],
      globalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      })),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** The table and each of its indexes by name: the only resources any function's table policy names. */
  resourceArns(): string[] {
    return [this.table.tableArn, ...tableDefinition.globalSecondaryIndexes.map((index) => `${this.table.tableArn}/index/${index.indexName}`)];
  }

  grant(grantee: IGrantable, access: TableAccess): void {
    const { table, queriedIndexes } = TABLE_ACCESS[access];
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: [...table], resources: [this.table.tableArn] }));
    if (queriedIndexes.length > 0) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['dynamodb:Query'], resources: queriedIndexes.map((index) => `${this.table.tableArn}/index/${index}`) }),
      );
    }
  }

  /** Query the signing keys' partition and nothing else (GET /v1/keys reads the public keys there). */
  grantSigningKeysRead(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [SIGNING_KEYS_PARTITION] } },
      }),
    );
  }
}
