import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { HEALTH_PREFIX, keys } from './keys';
import type { Page } from './pagination';
import { queryPage } from './query';
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
  return queryPage(
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      // TTL deletion lags; expired reports are filtered out until DynamoDB removes them.
      FilterExpression: 'expiresAt > :now',
      ExpressionAttributeValues: { ':pk': keys.installation(installationId).pk, ':prefix': HEALTH_PREFIX, ':now': nowSeconds },
      ScanIndexForward: false,
    },
    { scope: `health:${installationId}`, limit, cursor },
    (item: Record<string, unknown>) => {
      const { pk: _pk, sk: _sk, type: _type, ...record } = item;
      return record as unknown as HealthReportRecord;
    },
  );
}
