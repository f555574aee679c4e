import { createHash, randomUUID } from 'node:crypto';
import {
  arn,
  ServiceError,
  stableId,
  type CellIdentity,
  type PhysicalResource,
  type StandInAnswer,
  type StandInContext,
  type StandInRequest,
  type StandInService,
  type TemplateResource,
} from './service';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export interface PublishedMessage {
  targetArn: string;
  message: string;
  messageStructure: string | undefined;
}

/**
 * SNS (AWS Query protocol: form-encoded `Action=…`, XML answers): the template's topics
 * (AWS::SNS::Topic) and the mobile push operations the notifier uses, CreatePlatformEndpoint (the
 * same token gives the same endpoint, as in SNS) and Publish to an endpoint. Platform applications
 * are created outside the stack; any `app/APNS|APNS_SANDBOX|GCM/<name>` of the cell's account and
 * region is accepted. Published messages are kept in `published` for inspection.
 */
export class SnsStandIn implements StandInService {
  readonly name = 'SNS';
  readonly signingName = 'sns';
  readonly endpointEnv = 'AWS_ENDPOINT_URL_SNS';
  readonly resourceTypes = ['AWS::SNS::Topic'] as const;
  readonly published: PublishedMessage[] = [];
  private readonly endpoints = new Set<string>();

  provision(resource: TemplateResource, cell: CellIdentity): PhysicalResource {
    const name = `${resource.logicalId}-${stableId(resource, 12)}`;
    const topicArn = arn(cell, 'sns', name);
    return { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: name } };
  }

  async handle(request: StandInRequest, context: StandInContext): Promise<StandInAnswer> {
    const form = new URLSearchParams(request.body.toString('utf8'));
    const action = form.get('Action');
    if (action === 'CreatePlatformEndpoint') return this.createPlatformEndpoint(form, context);
    if (action === 'Publish') return this.publish(form, context);
    throw new ServiceError('InvalidAction', `The SNS stand-in does not implement ${action}.`);
  }

  errorAnswer(error: ServiceError): StandInAnswer {
    return {
      status: error.status,
      headers: { 'content-type': 'text/xml' },
      body: `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${escapeXml(error.type)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    };
  }

  private answer(action: string, result: string): StandInAnswer {
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
    };
  }

  private createPlatformEndpoint(form: URLSearchParams, context: StandInContext): StandInAnswer {
    const application = form.get('PlatformApplicationArn') ?? '';
    const token = form.get('Token') ?? '';
    context.record({ action: 'sns:CreatePlatformEndpoint', resource: application, context: {} });
    const prefix = arn(context, 'sns', 'app/');
    if (!application.startsWith(prefix) || !/^(APNS|APNS_SANDBOX|GCM)\/[\w.-]+$/.test(application.slice(prefix.length))) {
      throw new ServiceError('NotFound', 'PlatformApplication does not exist', 404);
    }
    if (!token) throw new ServiceError('InvalidParameter', 'Invalid parameter: Token');
    const id = createHash('sha256').update(`${application}\n${token}`).digest('hex');
    const endpointArn = `${application.replace(':app/', ':endpoint/')}/${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;
    this.endpoints.add(endpointArn);
    return this.answer('CreatePlatformEndpoint', `<EndpointArn>${escapeXml(endpointArn)}</EndpointArn>`);
  }

  private publish(form: URLSearchParams, context: StandInContext): StandInAnswer {
    const targetArn = form.get('TargetArn') ?? form.get('TopicArn') ?? '';
    context.record({ action: 'sns:Publish', resource: targetArn, context: {} });
    if (!this.endpoints.has(targetArn)) throw new ServiceError('NotFound', 'Endpoint does not exist', 404);
    const message = form.get('Message') ?? '';
    const messageStructure = form.get('MessageStructure') ?? undefined;
    if (messageStructure === 'json') {
      try {
        if (typeof JSON.parse(message).default !== 'string') throw new Error('no default');
      } catch {
        throw new ServiceError('InvalidParameter', 'Invalid parameter: Message Structure - JSON message body failed to parse');
      }
    }
    this.published.push({ targetArn, message, messageStructure });
    return this.answer('Publish', `<MessageId>${randomUUID()}</MessageId>`);
  }
}
