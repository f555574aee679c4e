import { randomUUID } from 'node:crypto';
import { arn, ServiceError, type PhysicalResource, type StandInAnswer, type StandInContext, type StandInRequest, type StandInService } from './service';

export interface SentEmail {
  from: string;
  to: string[];
  subject: string;
}

/**
 * SES v2 (REST JSON): SendEmail, `POST /v2/email/outbound-emails`. SES authorises sending on the
 * sender's identity (the domain of the From address; an address identity is not modelled) and on
 * the configuration set when one is named. Sent messages are kept in `sent` (without bodies).
 */
export class SesStandIn implements StandInService {
  readonly name = 'SES';
  readonly signingName = 'ses';
  readonly endpointEnv = 'AWS_ENDPOINT_URL_SESV2';
  readonly resourceTypes = [] as const;
  readonly sent: SentEmail[] = [];

  provision(): PhysicalResource {
    throw new Error('The SES stand-in provisions no template resources');
  }

  async handle(request: StandInRequest, context: StandInContext): Promise<StandInAnswer> {
    const path = new URL(request.url, 'http://stand-in').pathname;
    if (request.method !== 'POST' || path !== '/v2/email/outbound-emails') {
      throw new ServiceError('NotFoundException', `The SES stand-in does not implement ${request.method} ${path}.`, 404);
    }
    let input: Record<string, any>;
    try {
      input = JSON.parse(request.body.toString('utf8')) as Record<string, any>;
    } catch {
      throw new ServiceError('BadRequestException', 'The request body is not JSON.');
    }
    const from = String(input.FromEmailAddress ?? '');
    const domain = from.split('@')[1];
    if (!domain) throw new ServiceError('BadRequestException', 'FromEmailAddress is required.');
    context.record({ action: 'ses:SendEmail', resource: arn(context, 'ses', `identity/${domain}`), context: {} });
    if (input.ConfigurationSetName) {
      context.record({ action: 'ses:SendEmail', resource: arn(context, 'ses', `configuration-set/${input.ConfigurationSetName}`), context: {} });
    }
    const to = (input.Destination?.ToAddresses ?? []) as string[];
    if (to.length === 0) throw new ServiceError('BadRequestException', 'Destination has no address.');
    this.sent.push({ from, to, subject: String(input.Content?.Simple?.Subject?.Data ?? '') });
    return { status: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() }, body: JSON.stringify({ MessageId: randomUUID() }) };
  }

  errorAnswer(error: ServiceError): StandInAnswer {
    return {
      status: error.status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.type },
      body: JSON.stringify({ message: error.message }),
    };
  }
}
