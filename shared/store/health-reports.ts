import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { HEALTH_PREFIX, keys } from './keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import type { HealthReportRecord } from './records';

export async function putHealthReport(record: HealthReportRecord): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.healthReport(record.installationId, record.at, record.reportId), type: 'health_report', ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** An installation's health reports, newest first. Reports past their retention are not listed. */
export async function listHealthReports(installationId: string, limit: number, nowSeconds: number, cursor?: string): Promise<Page<HealthReportRecord>> {
  const { client, tableName } = store();
  const scope = `health:${installationId}`;
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      // TTL deletion lags; expired reports are filtered out until DynamoDB removes them.
      FilterExpression: 'expiresAt > :now',
      ExpressionAttributeValues: { ':pk': keys.installation(installationId).pk, ':prefix': HEALTH_PREFIX, ':now': nowSeconds },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: await decodeCursor(scope, cursor),
    }),
  );
  return {
    items: (result.Items ?? []).map((item) => {
      const { pk: _pk, sk: _sk, type: _type, ...record } = item;
      return record as HealthReportRecord;
    }),
    nextCursor: await encodeCursor(scope, result.LastEvaluatedKey),
  };
}
