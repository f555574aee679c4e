import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routes, type FunctionName, type RouteDefinition } from '../../shared/http/routes';

export interface LicensingApiProps {
  functions: Record<FunctionName, IFunction>;
  throttling: { rateLimit: number; burstLimit: number };
  logRetention: RetentionDays;
}

/**
 * One access-log line per request, as JSON. It names the route template (`routeKey`), never the
 * path: paths carry SLCs, which are credentials for a first activation. No header, body or query
 * string is logged.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  sourceIp: '$context.identity.sourceIp',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
} as const;

const constructIdOf = (route: RouteDefinition): string =>
  `${route.method}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '-')}`;

/**
 * The HTTP API: one route per entry of the shared route table (shared/http/routes.ts, the same table
 * the local server routes from), each integrated with its function group through one Lambda proxy
 * integration per group (payload 2.0). Any other method or path goes to the public function, which
 * answers with the contract's error envelope (404 route_not_found) instead of API Gateway's own body.
 *
 * Authentication is not an API Gateway authorizer: it stays in the handlers (shared/http/auth.ts),
 * because installation requests are signed over the raw body, and a Lambda authorizer never receives
 * the body. Ops and partner bearer tokens are checked in the same place so that every route answers
 * 401/403 with the contract's codes.
 */
export class LicensingApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly routes: HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: LicensingApiProps) {
    super(scope, id);
    const integrations = {} as Record<FunctionName, HttpLambdaIntegration>;
    for (const name of Object.keys(props.functions) as FunctionName[]) {
      // One permission per function for the whole API instead of one per route.
      integrations[name] = new HttpLambdaIntegration(`${name}-integration`, props.functions[name], { scopePermissionToRoute: false });
    }

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: 'cloud-licensing',
      description: 'Cloud Licensing API v1',
      createDefaultStage: false,
      defaultIntegration: integrations.public,
    });

    for (const route of routes as readonly RouteDefinition[]) {
      this.routes.push(
        new HttpRoute(this, constructIdOf(route), {
          httpApi: this.httpApi,
          routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
          integration: integrations[route.fn],
        }),
      );
    }

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttling.rateLimit, burstLimit: props.throttling.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Routes authenticate in the Lambda handlers (shared/http/auth.ts): installation requests carry an HMAC over the raw body, which an API Gateway authorizer cannot see; bearer tokens are checked in the same place. Health, keys and first activation are public by contract.',
    });
  }
}
