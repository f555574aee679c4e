import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { store } from '../../shared/store/client';

/**
 * Every item of the test file's own table except idempotency records (a refused POST with an
 * Idempotency-Key keeps its refusal for replay, which is the contract, not a change of state) and
 * accepted-signature records (a signature that verified is used up whatever the answer, §2),
 * keyed by pk and sk. Licenses with their counters, devices, installations, customers, partners,
 * the catalog, mobile servers, push devices, notifications, rate counters, health reports, audit
 * events: all of it.
 */
export async function tableSnapshot(): Promise<Map<string, string>> {
  const { client, tableName } = store();
  const items = new Map<string, string>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    for (const item of page.Items ?? []) {
      const pk = String(item.pk);
      if (pk.startsWith('IDEMPOTENCY#') || pk.startsWith('SIGNATURE#')) continue;
      items.set(`${pk} ${String(item.sk)}`, JSON.stringify(item, Object.keys(item).sort()));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** What differs between two snapshots: added, removed and changed item keys. */
export function snapshotDifference(before: Map<string, string>, after: Map<string, string>) {
  const added = [...after.keys()].filter((key) => !before.has(key));
  const removed = [...before.keys()].filter((key) => !after.has(key));
  const changed = [...after.keys()].filter((key) => before.has(key) && before.get(key) !== after.get(key));
  return { added, removed, changed };
}
