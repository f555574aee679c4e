import { parseArgs } from 'node:util';

/**
 * Brings the data of a cell's table to the layout this build writes (docs/DATA-MODEL.md,
 * "Migrations"). Safe to run again: what was moved is not found again. Run it once after deploying
 * a build that adds a step, with credentials that may write the table:
 *
 *   npm run migrate -- --table <table name> [--region <region>]
 *
 * `npm start` runs it on its own `.data/` at every start.
 */
const { values } = parseArgs({ options: { table: { type: 'string' }, region: { type: 'string' } } });
if (!values.table) {
  console.error('usage: npm run migrate -- --table <table name> [--region <region>]');
  process.exit(2);
}
process.env.TABLE_NAME = values.table;
if (values.region) process.env.AWS_REGION = values.region;
const { migrateStoredData } = await import('../shared/store/migrations');
console.log(JSON.stringify(await migrateStoredData()));
