import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { SIGNING_KEYS_PARTITION } from '../../shared/store/keys';
import { tableDefinition } from '../../shared/store/table-definition';

/**
 * What a function may do with the table. Listed action by action (no `dynamodb:*`, no Scan: every
 * access pattern is a key lookup or a Query). Transactions are authorised through the actions of
 * their parts, so TransactWriteItems needs PutItem/UpdateItem/DeleteItem/ConditionCheckItem.
 */
export const TABLE_ACCESS = {
  /** The health check reads one item. */
  health: ['dynamodb:GetItem'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
} as const;

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
    const resources = access === 'health' ? [this.table.tableArn] : this.resourceArns();
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: [...TABLE_ACCESS[access]], resources }));
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
