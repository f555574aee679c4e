import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from '../config';

export const DASHBOARD_BUILD_DIR = join(PROJECT_ROOT, 'dashboard', 'dist');

export interface DashboardHostingProps {
  api: HttpApi;
  userPoolClientId: string;
}

/**
 * The Customer Dashboard behind CloudFront, one origin for the page and the API (API.md §11): the
 * built assets in a private S3 bucket read only through origin access control, `/v1/*` forwarded
 * to the HTTP API uncached with every viewer header but Host (the bearer token included), and
 * `config.json` beside the assets naming the user pool's app client.
 */
export class DashboardHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
    if (!existsSync(join(DASHBOARD_BUILD_DIR, 'index.html'))) {
      throw new Error(`The Customer Dashboard is not built (${DASHBOARD_BUILD_DIR}): run npm run build:dashboard before cdk synth`);
    }
    const region = Stack.of(this).region;
    const userPoolEndpoint = `https://cognito-idp.${region}.amazonaws.com/`;

    const logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the server access logs of the dashboard bucket and the CloudFront logs; logging the log bucket itself would recurse.',
    });
    this.bucket = new Bucket(this, 'Assets', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'assets/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: `default-src 'self'; connect-src 'self' ${userPoolEndpoint}; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'`,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
    const apiDomain = Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Cloud Licensing Customer Dashboard and API',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      additionalBehaviors: {
        '/v1/*': {
          origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          compress: true,
        },
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'No geo restriction at the edge: export control is enforced per customer by the licensing rules (sanctions screening, rejected customers), not by the viewer location.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'No WAF web ACL in the cell: the HTTP API stage is throttled, every route authenticates in the handler, and a WAF is an account-level choice that ops attach per deployment.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason: 'The distribution uses the default CloudFront certificate (no custom domain in the cell), for which CloudFront fixes the viewer TLS policy; a custom domain with TLSv1.2_2021 is configured by ops.',
      },
    );

    new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [Source.asset(DASHBOARD_BUILD_DIR), Source.jsonData('config.json', { userPool: { endpoint: userPoolEndpoint, clientId: props.userPoolClientId } })],
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      prune: true,
      memoryLimit: 256,
    });
    this.acknowledgeDeploymentProvider();
  }

  /**
   * BucketDeployment copies the assets with a provider function that CDK defines once per stack
   * (runtime, role and policies are CDK's, not ours). It runs only during deployments.
   */
  private acknowledgeDeploymentProvider(): void {
    const stack = Stack.of(this);
    const provider = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!provider) throw new Error('BucketDeployment defined no provider function');
    const assetsBucket = stack.resolve(this.bucket.bucketArn) as { 'Fn::GetAtt': [string, string] };
    // With a region known at synth, CDK writes the asset bucket's partition literally (@aws-cdk/core:resolvePartition…).
    const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
    const why = (what: string) =>
      `${what} BucketDeployment's provider function (defined by CDK, run by CloudFormation only while deploying the dashboard assets) needs this to copy the build from the CDK asset bucket into the dashboard bucket and invalidate CloudFront.`;
    Validations.of(provider).acknowledge(
      { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: why('The managed basic execution role (its own logs):') },
      ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: why(`The ${action} actions CDK grants on the two buckets:`),
      })),
      { id: `AwsSolutions-IAM5[Resource::arn:${partition}:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${stack.region}/*]`, reason: why('Reading objects of the CDK asset bucket:') },
      { id: `AwsSolutions-IAM5[Resource::<${assetsBucket['Fn::GetAtt'][0]}.Arn>/*]`, reason: why('Writing objects of the dashboard bucket:') },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: why('cloudfront:CreateInvalidation and GetInvalidation, which IAM cannot scope below "*" in the provider CDK builds:') },
      { id: 'AwsSolutions-L1', reason: why('The runtime CDK pins for its provider (not the service code, which runs on nodejs24.x):') },
      { id: 'Serverless-LambdaDLQ', reason: why('Invoked synchronously by CloudFormation, which reports failures itself, so a dead-letter queue has nothing to receive:') },
      { id: 'Serverless-LambdaLatestVersion', reason: why('The runtime version CDK pins for its provider:') },
      { id: 'Serverless-LambdaTracing', reason: why('Not part of any request path, so X-Ray traces of it would show only deployments:') },
    );
  }

  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }
}
