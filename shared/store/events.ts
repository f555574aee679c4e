import { randomUUID } from 'node:crypto';
import { EVENT_PREFIX, keys } from './keys';
import type { Page } from './pagination';
import { queryPage } from './query';

export type AuditEventType =
  | 'license.created'
  | 'license.updated'
  | 'license.upgraded'
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
  return queryPage(
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.license(slc).pk, ':prefix': EVENT_PREFIX },
      ScanIndexForward: false,
    },
    { scope: `events:${slc}`, limit, cursor },
    (item: Record<string, unknown>) => item.event as AuditEvent,
  );
}
