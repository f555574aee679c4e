import { badRequest, forbidden, unauthorized } from '../../shared/http/errors';
import { parseWith, withBody } from '../../shared/http/validation';
import { actorOf } from '../../shared/http/types';
import { amiActivationRequestSchema, activationRequestSchema } from '../../shared/schemas/activation';
import { productVersion } from '../../shared/schemas/common';
import { activateIncludedAmi } from '../../shared/use-cases/ami-activation';
import { activate } from '../../shared/use-cases/activate';
import { deploymentOf } from '../../shared/use-cases/deployment';

export const activationRoutes = {
  'POST /v1/activations': withBody(activationRequestSchema, async (request, { slc, installationId, aws, ...configuration }) => {
    if ((slc === undefined) === (installationId === undefined)) {
      throw badRequest('validation_failed', 'A first activation carries "slc"; a re-activation carries "installationId".', [
        { path: slc === undefined ? 'slc' : 'installationId', message: 'exactly one of slc and installationId is required' },
      ]);
    }
    if (installationId !== undefined) {
      if (request.caller.role !== 'installation') throw unauthorized('unauthorized', 'A re-activation must be signed by the installation.');
      if (request.caller.installationId !== installationId) throw forbidden('forbidden', 'The request is signed by another installation.');
    }
    const deployment = aws ? deploymentOf('aws-byol', aws) : undefined;
    const result = await activate({
      target:
        installationId !== undefined && request.caller.role === 'installation'
          ? { kind: 'reactivation', installationId, installation: request.caller.installation }
          : { kind: 'first', slc: slc! },
      configuration,
      deployment,
      actor: actorOf(request.caller),
      sourceIp: request.sourceIp,
    });
    return { status: result.created ? 201 : 200, body: result.body };
  }),

  'POST /v1/activations/ami': withBody(amiActivationRequestSchema, async (request, { aws, ...configuration }) => {
    const version = parseWith(productVersion, request.headers['x-product-version'], 'headers.x-product-version');
    const result = await activateIncludedAmi({
      aws,
      productVersion: version,
      configuration,
      actor: actorOf(request.caller),
      sourceIp: request.sourceIp,
    });
    return { status: result.created ? 201 : 200, body: result.body };
  }),
};
