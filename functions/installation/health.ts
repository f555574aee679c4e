import type { RouteImplementation } from '../../shared/http/types';
import { loadInstallationContext } from '../../shared/use-cases/installation-context';
import { parseHealthReport, submitHealthReport } from '../../shared/use-cases/health-reports';

export const healthReportRoutes = {
  'POST /v1/installations/{installationId}/health': (async (request) => {
    const context = await loadInstallationContext(request);
    const input = parseHealthReport(request.body);
    return { status: 202, body: await submitHealthReport(context, input, request.sourceIp) };
  }) satisfies RouteImplementation,
};
