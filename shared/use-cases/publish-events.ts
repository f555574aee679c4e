import { logger } from '../adapters/observability';
import { MAX_EVENTS_PER_PUT, type BusEvent, type EventBus, type PublishedEvent } from '../adapters/event-bus';
import { eventOfItem, insertedEventItemOf, type StreamRecord } from '../store/events';

/** The audit event an inserted event item carries; anything else in the stream is not published. */
export function publishedEventOf(record: StreamRecord): PublishedEvent | undefined {
  const item = insertedEventItemOf(record);
  if (!item) return undefined;
  const event = eventOfItem(item);
  const slc = typeof item.slc === 'string' ? item.slc : String(item.pk).replace(/^LICENSE#/, '');
  return { slc, eventId: event.eventId, at: event.at, type: event.type, actor: event.actor, sourceIp: event.sourceIp, details: event.details };
}

export interface PublishOutcome {
  /** The sequence number of the first record not published (it and every later one are to be retried), if any. */
  firstFailed?: string;
  published: number;
}

interface Pending {
  sequenceNumber: string;
  event: PublishedEvent | undefined;
  /** Where a retry must start for this record: its own sequence number, or that of its group's first record. */
  restartAt: string;
  /** Whether the stream is done up to here once this record is (not inside a reordered group). */
  groupEnd: boolean;
}

const bySortKey = (a: { sk: string }, b: { sk: string }) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0);

/**
 * The events one transaction records for a license (an activation and the thresholds it reached)
 * come with the same `at`, in no promised order within the stream. Records of one license with the
 * same `at` that follow each other form a group, put in the order of their sort key (the activation
 * first, then 80, then 100); a group is retried, and checkpointed, as a whole.
 */
function inTrailOrder(records: StreamRecord[]): Pending[] {
  const read = records.map((record) => ({
    sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    event: publishedEventOf(record),
    sk: String(record.dynamodb?.NewImage?.sk?.S ?? ''),
  }));
  const pending: Pending[] = [];
  for (let start = 0; start < read.length; ) {
    const first = read[start]!.event;
    let end = start + 1;
    while (first && end < read.length && read[end]!.event?.slc === first.slc && read[end]!.event?.at === first.at) end++;
    const group = read.slice(start, end).sort(bySortKey);
    const restartAt = read[start]!.sequenceNumber;
    const last = read[end - 1]!.sequenceNumber;
    group.forEach((entry, index) =>
      pending.push({
        event: entry.event,
        sequenceNumber: index === group.length - 1 ? last : entry.sequenceNumber,
        restartAt: group.length > 1 ? restartAt : entry.sequenceNumber,
        groupEnd: index === group.length - 1,
      }),
    );
    start = end;
  }
  return pending;
}

/**
 * Publishes the audit events among stream records to the bus, in stream order: each put holds at
 * most 10 events and never two of one license, and the first event the bus refuses stops the run,
 * so no event of a license reaches the bus before an earlier one of that license. `onPublished` is
 * told the sequence number up to which every record is done (published or not an event), after each
 * put that ends a group: the local publisher checkpoints there. Lambda retries from `firstFailed` (ReportBatchItemFailures).
 */
export async function publishStreamRecords(
  records: StreamRecord[],
  bus: EventBus,
  onPublished: (sequenceNumber: string) => void | Promise<void> = () => undefined,
): Promise<PublishOutcome> {
  const pending = inTrailOrder(records);
  let published = 0;
  let index = 0;
  while (index < pending.length) {
    const chunk: Pending[] = [];
    const licenses = new Set<string>();
    // Records that are not events ride along with the chunk that follows them.
    while (index < pending.length) {
      const next = pending[index]!;
      if (next.event) {
        if (chunk.filter((entry) => entry.event).length >= MAX_EVENTS_PER_PUT || licenses.has(next.event.slc)) break;
        licenses.add(next.event.slc);
      }
      chunk.push(next);
      index++;
    }
    const events = chunk.filter((entry): entry is Pending & { event: PublishedEvent } => entry.event !== undefined);
    if (events.length > 0) {
      let outcomes;
      try {
        outcomes = await bus.put(events.map(({ event }): BusEvent => ({ detailType: event.type, detail: event, time: event.at })));
      } catch (error) {
        logger.warn('events not published; they are retried', { error: error as Error, firstEventId: events[0]!.event.eventId });
        return { firstFailed: chunk[0]!.restartAt, published };
      }
      const refused = outcomes.findIndex((outcome) => !outcome.ok);
      if (refused >= 0) {
        const failed = events[refused]!;
        const outcome = outcomes[refused] as { ok: false; errorCode: string };
        logger.warn('the bus refused an event; it and later events are retried', { eventId: failed.event.eventId, errorCode: outcome.errorCode });
        published += refused;
        // Events after the refused one in this put may have been accepted: retried, they reach the bus again (same eventId).
        return { firstFailed: failed.restartAt, published };
      }
      published += events.length;
    }
    const last = chunk[chunk.length - 1]!;
    if (last.groupEnd) await onPublished(last.sequenceNumber);
  }
  return { published };
}
