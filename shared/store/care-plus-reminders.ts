import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { auditEventItem, type AuditEvent } from './events';
import { CARE_PLUS_SCHEDULE_PARTITION, carePlusKeys, keys } from './keys';

export interface ScheduledCarePlus {
  slc: string;
  validUntil: string;
}

/** Licenses whose Care Plus ends by `until` (ISO time), soonest first, page by page. */
export async function* carePlusEndingBy(until: string): AsyncGenerator<ScheduledCarePlus[]> {
  const { client, tableName } = store();
  let start: Record<string, unknown> | undefined;
  do {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk <= :until',
        ExpressionAttributeValues: { ':pk': CARE_PLUS_SCHEDULE_PARTITION, ':until': `${until}#~` },
        ExclusiveStartKey: start,
        Limit: 200,
      }),
    );
    yield (result.Items ?? []).map((item) => ({ slc: String(item.slc), validUntil: String(item.validUntil) }));
    start = result.LastEvaluatedKey;
  } while (start);
}

export type ReminderOutcome = 'recorded' | 'already_recorded' | 'license_changed' | 'conflict';

/**
 * Records one reminder once: its marker (per license, validUntil and stage, put only if absent),
 * its event, and a check that the license is active with this validUntil, in one transaction. An
 * `expired` reminder also takes the license off the schedule (nothing is left to remind of).
 */
export async function recordReminder(input: { slc: string; validUntil: string; stage: string; event: AuditEvent }): Promise<ReminderOutcome> {
  const { client, tableName } = store();
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: { ...carePlusKeys.reminder(input.slc, input.validUntil, input.stage), type: 'care_plus_reminder', at: input.event.at },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            ConditionCheck: {
              TableName: tableName,
              Key: keys.license(input.slc),
              ConditionExpression: '#status = :active AND carePlusValidUntil = :validUntil',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':active': 'active', ':validUntil': input.validUntil },
            },
          },
          { Put: { TableName: tableName, Item: auditEventItem(input.slc, input.event) } },
          ...(input.stage === 'expired' ? [{ Delete: { TableName: tableName, Key: carePlusKeys.schedule(input.validUntil, input.slc) } }] : []),
        ],
      }),
    );
    return 'recorded';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'already_recorded';
    if (reasons[1]?.Code === 'ConditionalCheckFailed') return 'license_changed';
    return 'conflict';
  }
}
