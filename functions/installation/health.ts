import { withBody } from '../../shared/http/validation';
import { healthReportRequest } from '../../shared/schemas/push';
import { loadInstallationContext } from '../../shared/use-cases/installation-context';
import { parseHealthReport, submitHealthReport } from '../../shared/use-cases/health-reports';

export const healthReportRoutes = {
  'POST /v1/installations/{installationId}/health': withBody(
    healthReportRequest,
    async (request, input) => {
      const context = await loadInstallationContext(request);
      return { status: 202, body: await submitHealthReport(context, input, request.sourceIp) };
    },
    parseHealthReport,
  ),
};
