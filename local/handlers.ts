import type { FunctionName } from '../shared/http/routes';
import type { HttpHandler, RouteIndex } from '../shared/http/handler';
import { handler as publicHandler } from '../functions/public/index';
import { handler as opsHandler } from '../functions/ops/index';
import { handler as partnerHandler } from '../functions/partner/index';
import { handler as activationHandler } from '../functions/activation/index';
import { handler as installationHandler } from '../functions/installation/index';

/** The Lambda handlers, by function name, for the local server. */
export const lambdaHandlers: Record<FunctionName, HttpHandler & RouteIndex> = {
  public: publicHandler,
  ops: opsHandler,
  partner: partnerHandler,
  activation: activationHandler,
  installation: installationHandler,
};
