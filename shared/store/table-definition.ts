/**
 * The single table, defined once: the CDK stack and the local bootstrap both build from this.
 *
 * Items are keyed `pk`/`sk`. Three overloaded global secondary indexes serve the lookups that do not
 * start from an item's own partition (see docs/DATA-MODEL.md).
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
  timeToLiveAttribute: 'expiresAt',
  /** The stream the event publisher reads: new images are enough (event items are only ever inserted). */
  streamViewType: 'NEW_IMAGE',
} as const;

export type IndexName = (typeof tableDefinition.globalSecondaryIndexes)[number]['indexName'];
