import { randomUUID } from 'node:crypto';
import type * as z from 'zod/mini';
import { clock } from '../adapters/clock';
import { logger } from '../adapters/observability';
import { HEALTH_REPORT_RETENTION_SECONDS, hasHealthConsent, isJsonObject } from '../domain/health-reports';
import { unprocessable } from '../errors';
import { parseWith } from '../http/validation';
import { healthReportRequest } from '../schemas/push';
import { listHealthReports, putHealthReport } from '../store/health-reports';
import { getInstallation } from '../store/installations';
import { getLicense } from '../store/licenses';
import type { Page } from '../store/pagination';
import type { HealthReportRecord } from '../store/records';
import type { Caller } from '../http/types';
import { callerMaySee } from './visibility';
import { installationNotFound, licenseRevoked, requireCarePlus, type InstallationContext } from './installation-context';

export type HealthReportInput = z.output<typeof healthReportRequest>;

export interface HealthReportView {
  reportId: string;
  at: string;
  status: HealthReportRecord['status'];
  errors: HealthReportRecord['errors'];
}

/**
 * Reads a health report body: not a JSON object → 400 validation_failed; an object without
 * `consent: true` → 422 consent_required (nothing of it is looked at further); otherwise the usual
 * shape checks (400 validation_failed).
 */
export function parseHealthReport(body: unknown): HealthReportInput {
  if (!isJsonObject(body)) return parseWith(healthReportRequest, body);
  if (!hasHealthConsent(body)) {
    throw unprocessable('consent_required', 'Health reports are accepted only with the customer\'s consent ("consent": true).');
  }
  return parseWith(healthReportRequest, body);
}

/** Stores a consented report (Care Plus is not needed to send one; it is needed to view them). */
export async function submitHealthReport(
  context: InstallationContext,
  input: HealthReportInput,
  sourceIp: string,
): Promise<{ reportId: string; receivedAt: string }> {
  const now = clock.now();
  const record: HealthReportRecord = {
    installationId: context.installation.installationId,
    reportId: randomUUID(),
    at: now.toISOString(),
    status: input.status,
    errors: input.errors,
    sourceIp,
    expiresAt: Math.floor(now.getTime() / 1000) + HEALTH_REPORT_RETENTION_SECONDS,
  };
  await putHealthReport(record);
  logger.info('health report received', { installationId: record.installationId, reportId: record.reportId, status: record.status, errors: record.errors.length });
  return { reportId: record.reportId, receivedAt: record.at };
}

/**
 * The partner health view (API.md §8): the installation's latest reports, newest first. The
 * caller must be the partner of the installation's license or one of its customer's users (§11) (else 404, as for unknown ones); a
 * revoked license answers 403 license_revoked; inactive Care Plus 403 care_plus_required.
 */
export async function partnerHealthView(
  caller: Caller,
  installationId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<HealthReportView>> {
  const installation = installationId.length <= 128 ? await getInstallation(installationId) : undefined;
  const license = installation ? await getLicense(installation.slc) : undefined;
  if (!installation || !license || !callerMaySee(caller, license)) throw installationNotFound();
  if (license.status === 'revoked') throw licenseRevoked();
  requireCarePlus(license);
  const reports = await listHealthReports(installationId, page.limit, Math.floor(clock.now().getTime() / 1000), page.cursor);
  return {
    items: reports.items.map((report) => ({ reportId: report.reportId, at: report.at, status: report.status, errors: report.errors })),
    nextCursor: reports.nextCursor,
  };
}

