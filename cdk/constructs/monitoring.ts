import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { FunctionName } from '../../shared/http/routes';

export interface MonitoringProps {
  api: HttpApi;
  functions: Record<FunctionName, IFunction>;
  /** Each function's timeout: its Duration alarm fires before requests start timing out. */
  functionTimeouts: Record<FunctionName, Duration>;
  table: ITableV2;
  alarmEmail: string;
}

const PERIOD = Duration.minutes(5);

/** The table operations the service uses (for the DynamoDB error and throttle alarms; at most 10 metrics each). */
const TABLE_OPERATIONS = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.TRANSACT_GET_ITEMS,
];

/**
 * Alarms and a dashboard for one regional cell. Alarms e-mail ops through an encrypted SNS topic.
 *
 * - API 5xx rate above 1 % of requests in 2 of 3 five-minute periods;
 * - API p99 latency above 3 s for 3 five-minute periods (an activation of 10,000 devices stays below);
 * - any Lambda throttle, per function;
 * - per function: invocation errors (the runtime failed: init errors, timeouts, crashes) in 2 of 3
 *   periods, and p99 duration above 80 % of its timeout for 3 periods;
 * - any DynamoDB system error, and any throttled DynamoDB request, in 2 of 3 periods.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const topicKey = new Key(this, 'AlarmTopicKey', {
      description: 'Cloud Licensing: encrypts the alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic.
    topicKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'Cloud Licensing alarms', masterKey: topicKey, enforceSSL: true });
    this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    Validations.of(this.topic).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'The only subscription is an e-mail address; a dead-letter queue would only collect undeliverable alarm mails, while the alarm state itself stays in CloudWatch and on the dashboard.',
    });

    const api = props.api;
    const requests = api.metricCount({ period: PERIOD, statistic: 'Sum' });
    const serverErrors = api.metricServerError({ period: PERIOD, statistic: 'Sum' });
    const errorRate = new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      period: PERIOD,
      label: '5xx rate (%)',
    });
    const p99 = api.metricLatency({ period: PERIOD, statistic: 'p99', label: 'p99 latency' });

    this.addAlarm('Api5xxRate', errorRate, {
      description: 'More than 1 % of API requests answered 5xx',
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
    this.addAlarm('ApiLatencyP99', p99, {
      description: 'API p99 latency above 3 s',
      threshold: 3000,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });
    for (const [name, fn] of Object.entries(props.functions) as Array<[FunctionName, IFunction]>) {
      this.addAlarm(`${name}Errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), {
        description: `The ${name} function failed invocations (init errors, timeouts or crashes)`,
        threshold: 0,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
      this.addAlarm(`${name}DurationP99`, fn.metricDuration({ period: PERIOD, statistic: 'p99' }), {
        description: `The ${name} function's p99 duration is above 80 % of its timeout`,
        threshold: Math.round(props.functionTimeouts[name].toMilliseconds() * 0.8),
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
      });
      this.addAlarm(`${name}Throttles`, fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), {
        description: `The ${name} function was throttled`,
        threshold: 0,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
      });
    }
    const tableSystemErrors = props.table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period: PERIOD });
    const tableThrottles = props.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period: PERIOD });
    this.addAlarm('TableSystemErrors', tableSystemErrors, {
      description: 'DynamoDB answered the service with system errors',
      threshold: 0,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
    this.addAlarm('TableThrottles', tableThrottles, {
      description: 'DynamoDB throttled requests of the service',
      threshold: 0,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });

    const functionMetric = (metric: (fn: IFunction) => IMetric) => Object.values(props.functions).map(metric);
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `cloud-licensing-${Stack.of(this).region}` });
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
      new GraphWidget({ title: 'API requests', left: [requests, api.metricClientError({ period: PERIOD, statistic: 'Sum' }), serverErrors], right: [errorRate], width: 12 }),
      new GraphWidget({
        title: 'API latency',
        left: [
          api.metricLatency({ period: PERIOD, statistic: 'p50', label: 'p50' }),
          p99,
          api.metricIntegrationLatency({ period: PERIOD, statistic: 'p99', label: 'integration p99' }),
        ],
        width: 12,
      }),
      new GraphWidget({ title: 'Lambda duration p99', left: functionMetric((fn) => fn.metricDuration({ period: PERIOD, statistic: 'p99', label: fn.node.scope?.node.id })), width: 8 }),
      new GraphWidget({ title: 'Lambda errors', left: functionMetric((fn) => fn.metricErrors({ period: PERIOD, label: fn.node.scope?.node.id })), width: 8 }),
      new GraphWidget({ title: 'Lambda throttles', left: functionMetric((fn) => fn.metricThrottles({ period: PERIOD, label: fn.node.scope?.node.id })), width: 8 }),
      new GraphWidget({
        title: 'DynamoDB capacity',
        left: [props.table.metricConsumedReadCapacityUnits({ period: PERIOD }), props.table.metricConsumedWriteCapacityUnits({ period: PERIOD })],
        width: 24,
      }),
      new GraphWidget({ title: 'DynamoDB system errors', left: [tableSystemErrors], width: 12 }),
      new GraphWidget({ title: 'DynamoDB throttled requests', left: [tableThrottles], width: 12 }),
    );
  }

  private addAlarm(
    id: string,
    metric: IMetric,
    options: { description: string; threshold: number; evaluationPeriods: number; datapointsToAlarm: number },
  ): void {
    const alarm = new Alarm(this, id, {
      metric,
      alarmDescription: options.description,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods,
      datapointsToAlarm: options.datapointsToAlarm,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
