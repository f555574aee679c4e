import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { EVENT_PREFIX, keys } from './keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';

export type AuditEventType =
  | 'license.created'
  | 'license.updated'
  | 'care_plus.updated'
  | 'license.revoked'
  | 'license.transferred'
  | 'activation.completed'
  | 'installation.released'
  | 'installation.credentials_reset';

export interface AuditEvent {
  at: string;
  type: AuditEventType;
  actor: string;
  sourceIp: string;
  details: Record<string, unknown>;
}

/** The item of one audit event, to put alone or inside the transaction that makes the change. */
export function auditEventItem(slc: string, event: AuditEvent): Record<string, unknown> {
  return { ...keys.event(slc, event.at, randomUUID()), type: 'event', event };
}

export async function listEvents(slc: string, limit: number, cursor?: string): Promise<Page<AuditEvent>> {
  const { client, tableName } = store();
  const scope = `events:${slc}`;
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.license(slc).pk, ':prefix': EVENT_PREFIX },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: await decodeCursor(scope, cursor),
    }),
  );
  return {
    items: (result.Items ?? []).map((item) => item.event as AuditEvent),
    nextCursor: await encodeCursor(scope, result.LastEvaluatedKey),
  };
}
