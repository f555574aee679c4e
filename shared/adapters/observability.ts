import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'cloud-licensing';

/**
 * Module-scope logger and metrics. Log lines carry identifiers and outcomes only: never a request
 * body, a header, a secret or a personal datum.
 */
export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'CloudLicensing' });
