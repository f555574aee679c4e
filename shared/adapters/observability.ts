import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'cloud-licensing';

/**
 * An error in a log line is its name and code only: no stack trace, no message and none of its
 * other fields, which can carry item contents (a DynamoDB cancellation reason), a provider's echo
 * of a token or address, or the service's internals.
 */
export function loggedError(error: Error): { name: string; code?: string } {
  const code = (error as { code?: unknown }).code ?? (error as { Code?: unknown }).Code;
  return { name: error.name, ...(typeof code === 'string' ? { code } : {}) };
}

/**
 * Module-scope logger and metrics. Log lines carry identifiers and outcomes only: never a request
 * body, a header, a secret, a personal datum or a stack trace.
 */
export const logger = new Logger({
  serviceName,
  jsonReplacerFn: (_key: string, value: unknown) => (value instanceof Error ? loggedError(value) : value),
});
export const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'CloudLicensing' });
