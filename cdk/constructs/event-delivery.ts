import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { StartingPosition, FilterCriteria, FilterRule } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../shared/adapters/event-bus';
import { WEBHOOK_METRICS } from '../../shared/domain/webhooks';
import { LicensingFunction, METRICS_NAMESPACE, SERVICE_NAME } from './licensing-function';
import type { LicensingTable } from './licensing-table';
import type { ServiceSecrets } from './service-secrets';

export interface EventDeliveryProps {
  table: LicensingTable;
  secrets: ServiceSecrets;
  /** Environment every worker gets (TABLE_NAME and the cell's settings). */
  environment: Record<string, string>;
  /** SES identity and sender of the Care Plus reminder e-mails. */
  ses: { identityArn: string; fromAddress: string; configurationSetArn?: string; configurationSetName?: string };
  alarmTopic: ITopic;
  logRetention: RetentionDays;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/** Webhook attempts take at most 10 s each; a batch of 10 runs in parallel. */
const WEBHOOK_TIMEOUT = Duration.seconds(60);

/**
 * Events out of the cell (API.md §12):
 * - the table's stream → the publisher (only inserted event items, by a filter; in order per shard;
 *   ReportBatchItemFailures and bisection; after 50 failed tries or a day a batch's position goes to
 *   the publisher's dead-letter queue, from which ops re-read the stream within its 24 hours) →
 *   the cell's EventBridge bus;
 * - a rule sends every event of the bus to the webhook queue, whose worker fans each out to the
 *   partner's webhooks and attempts it; a failed attempt is retried through the same queue with a
 *   delay (a message older than its delay is sent on again), for 27 h; a message that keeps failing
 *   goes to the webhook dead-letter queue;
 * - EventBridge Scheduler runs the Care Plus reminder job every day at 06:00 UTC;
 * - alarms: any message in either dead-letter queue, any webhook delivery that failed for good.
 */
export class EventDelivery extends Construct {
  readonly bus: EventBus;
  readonly publisher: LicensingFunction;
  readonly webhooks: LicensingFunction;
  readonly reminders: LicensingFunction;
  readonly webhookQueue: Queue;
  readonly publisherDeadLetters: Queue;
  readonly webhookDeadLetters: Queue;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: EventDeliveryProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.bus = new EventBus(this, 'Bus', { eventBusName: `cloud-licensing-${region}`, description: 'Cloud Licensing: the audit events of the cell' });

    const queue = (queueId: string, extra: Partial<ConstructorParameters<typeof Queue>[2]> = {}) =>
      new Queue(this, queueId, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14), ...extra });
    this.publisherDeadLetters = queue('PublisherDeadLetters');
    this.webhookDeadLetters = queue('WebhookDeadLetters');
    for (const deadLetters of [this.publisherDeadLetters, this.webhookDeadLetters]) {
      const reason = 'This queue is itself a dead-letter queue; its messages wait for ops (an alarm fires on the first).';
      Validations.of(deadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason }, { id: 'Serverless-SQSRedrivePolicy', reason });
    }
    this.webhookQueue = queue('WebhookQueue', {
      visibilityTimeout: Duration.seconds(WEBHOOK_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.webhookDeadLetters, maxReceiveCount: 10 },
    });

    const worker = (workerId: string, name: 'publisher' | 'webhooks' | 'reminders', settings: { description: string; deadLetterReason: string; timeout: Duration; environment: Record<string, string> }) =>
      new LicensingFunction(this, workerId, {
        name,
        worker: { description: settings.description, deadLetterReason: settings.deadLetterReason },
        memorySize: 1024,
        timeout: settings.timeout,
        environment: { ...props.environment, ...settings.environment },
        logRetention: props.logRetention,
        logLevel: props.logLevel,
      });

    this.publisher = worker('Publisher', 'publisher', {
      description: 'publishes the audit events of the table stream to the cell bus',
      deadLetterReason: 'Invoked by a DynamoDB stream event source mapping, whose on-failure destination is the publisher dead-letter queue; a function dead-letter queue only applies to asynchronous invocations.',
      timeout: Duration.seconds(60),
      environment: { EVENT_BUS_NAME: this.bus.eventBusName },
    });
    this.publisher.function.addEventSource(
      new DynamoEventSource(props.table.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(0),
        parallelizationFactor: 1,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 50,
        maxRecordAge: Duration.days(1),
        onFailure: new SqsDlq(this.publisherDeadLetters),
        filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { NewImage: { type: { S: FilterRule.isEqual('event') } } } })],
      }),
    );
    this.bus.grantPutEventsTo(this.publisher.role);

    this.webhooks = worker('Webhooks', 'webhooks', {
      description: 'delivers the events of the cell bus to partner webhooks',
      deadLetterReason: 'Invoked by an SQS event source mapping; messages that keep failing move to the webhook dead-letter queue by the queue redrive policy.',
      timeout: WEBHOOK_TIMEOUT,
      environment: { WEBHOOK_QUEUE_URL: this.webhookQueue.queueUrl, WEBHOOK_URL_POLICY: 'public', ...props.secrets.environmentFor({ opsToken: false, installationKey: true }) },
    });
    const webhookSource = new SqsEventSource(this.webhookQueue, { batchSize: 10, reportBatchItemFailures: true });
    this.webhooks.function.addEventSource(webhookSource);
    Validations.of(this.webhooks.function).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: 'An SQS event source mapping has no on-failure destination: a message that keeps failing moves to the webhook dead-letter queue by the queue redrive policy (maxReceiveCount 10).',
    });
    this.webhookQueue.grantSendMessages(this.webhooks.role);
    props.table.grant(this.webhooks.role, 'webhooks');
    props.secrets.grantRead(this.webhooks.role, { opsToken: false, installationKey: true });
    new Rule(this, 'ToWebhooks', {
      eventBus: this.bus,
      description: 'Every event of the cell to the webhook queue',
      eventPattern: { source: [EVENT_SOURCE] },
      targets: [new SqsQueue(this.webhookQueue, { deadLetterQueue: this.webhookDeadLetters, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    this.reminders = worker('Reminders', 'reminders', {
      description: 'the daily Care Plus reminder job',
      deadLetterReason: 'Invoked by EventBridge Scheduler, whose target has a retry policy; a failed day is run again by the next (reminders are recorded once, whenever they are found due).',
      timeout: Duration.minutes(15),
      environment: {
        NOTIFIER: 'aws',
        SES_FROM_ADDRESS: props.ses.fromAddress,
        ...(props.ses.configurationSetName ? { SES_CONFIGURATION_SET: props.ses.configurationSetName } : {}),
      },
    });
    props.table.grant(this.reminders.role, 'reminders');
    this.reminders.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['ses:SendEmail'], resources: [props.ses.identityArn, ...(props.ses.configurationSetArn ? [props.ses.configurationSetArn] : [])] }),
    );
    new Schedule(this, 'DailyReminders', {
      description: 'Cloud Licensing: Care Plus reminders, daily',
      schedule: ScheduleExpression.cron({ minute: '0', hour: '6' }),
      target: new LambdaInvoke(this.reminders.function, { retryAttempts: 3, maxEventAge: Duration.hours(6) }),
    });
    const remindersId = Stack.of(this).getLogicalId(this.reminders.function.node.defaultChild as CfnElement);
    Validations.of(Stack.of(this)).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${remindersId}.Arn>:*]`,
      reason: 'The scheduler role CDK creates may invoke the reminder function and its versions (<function ARN>:*); it can invoke nothing else.',
    });

    const alarm = (alarmId: string, description: string, metric: Metric | ReturnType<Queue['metricApproximateNumberOfMessagesVisible']>) => {
      const created = new Alarm(this, alarmId, {
        metric,
        alarmDescription: description,
        threshold: 0,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new SnsAction(props.alarmTopic));
      created.addOkAction(new SnsAction(props.alarmTopic));
      this.alarms.push(created);
    };
    const period = Duration.minutes(5);
    alarm('PublisherDeadLetterAlarm', 'Events could not be published to the bus: a stream batch is in the publisher dead-letter queue', this.publisherDeadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }));
    alarm('WebhookDeadLetterAlarm', 'Webhook messages keep failing: they are in the webhook dead-letter queue', this.webhookDeadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }));
    alarm(
      'WebhookDeliveriesFailedAlarm',
      'A webhook delivery failed for good (every retry over 27 hours was refused)',
      new Metric({ namespace: METRICS_NAMESPACE, metricName: WEBHOOK_METRICS.failed, dimensionsMap: { service: SERVICE_NAME }, period, statistic: 'Sum' }),
    );
  }
}
