import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsCall, CallLog, Callers } from './calls';
import { verifySignature } from './sigv4';

/** A request that passed the signature check. */
export interface StandInRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The calling function (from its access key). */
  caller: string;
}

export interface StandInAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** A resource of the synthesized template that a stand-in serves, as CloudFormation would create it. */
export interface TemplateResource {
  stackName: string;
  logicalId: string;
  type: string;
  properties: Record<string, unknown>;
}

/** What `Ref` and `Fn::GetAtt` of a provisioned resource resolve to. */
export interface PhysicalResource {
  ref: string;
  attributes: Record<string, string>;
}

export interface CellIdentity {
  region: string;
  account: string;
  partition: string;
}

/** The view a service implementation has of its stand-in: where it runs and how it records calls. */
export interface StandInContext extends CellIdentity {
  /** Records one authorised call (`outcome` is filled in from the answer). */
  record(call: Omit<AwsCall, 'caller' | 'outcome'>): void;
}

/** A refusal in the service's own error format. */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * One AWS service's stand-in: a small HTTP server speaking the service's wire protocol for the
 * operations the cell uses. See local/aws/README.md for how to add one.
 */
export interface StandInService {
  /** For logs: `KMS`. */
  readonly name: string;
  /** The Signature V4 signing name (the credential scope's service): `kms`. */
  readonly signingName: string;
  /** The AWS SDK's endpoint variable, `AWS_ENDPOINT_URL_KMS`: the runtime points the functions at the stand-in with it. */
  readonly endpointEnv: string;
  /** CloudFormation resource types whose `Ref`/`Fn::GetAtt` this stand-in provides. */
  readonly resourceTypes: readonly string[];
  /** Creates a template resource (as CloudFormation would) and says what it resolves to. */
  provision(resource: TemplateResource, cell: CellIdentity): PhysicalResource;
  /** Answers one signed request. Throw ServiceError to refuse it. */
  handle(request: StandInRequest, context: StandInContext): Promise<StandInAnswer>;
  /** An error answer in the service's protocol. */
  errorAnswer(error: ServiceError): StandInAnswer;
}

/** A deterministic id for a template resource: the same stack and logical id give the same physical resource across restarts. */
export function stableId(resource: Pick<TemplateResource, 'stackName' | 'logicalId'>, length = 32): string {
  return createHash('sha256').update(`${resource.stackName}/${resource.logicalId}`).digest('hex').slice(0, length);
}

export const arn = (cell: CellIdentity, service: string, resource: string, region = cell.region): string =>
  `arn:${cell.partition}:${service}:${region}:${cell.account}:${resource}`;

/** AWS JSON 1.0/1.1 protocols: the operation is named by `X-Amz-Target: <prefix>.<Operation>`, errors carry `__type`. */
export const awsJson = {
  operation(request: StandInRequest, prefix: string): string {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!target.startsWith(`${prefix}.`)) throw new ServiceError('UnknownOperationException', `Unknown target ${target}`);
    return target.slice(prefix.length + 1);
  },
  input(request: StandInRequest): Record<string, unknown> {
    try {
      const parsed: unknown = JSON.parse(request.body.toString('utf8') || '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // Answered below.
    }
    throw new ServiceError('SerializationException', 'The request body is not a JSON object.');
  },
  answer(body: unknown, version = '1.1'): StandInAnswer {
    return { status: 200, headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': randomUUID() }, body: JSON.stringify(body) };
  },
  error(error: ServiceError, version = '1.1'): StandInAnswer {
    return {
      status: error.status,
      headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': randomUUID() },
      body: JSON.stringify({ __type: error.type, message: error.message }),
    };
  },
};

async function readBody(request: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export interface RunningStandIn {
  service: StandInService;
  endpoint: string;
  server: Server;
  /** Makes the stand-in refuse an action with this error (fault injection), until cleared. */
  refuse(action: string, error: ServiceError): void;
  clearRefusals(): void;
}

/** Serves one stand-in on a free port of 127.0.0.1: checks the signature, answers, records the call. */
export async function serveStandIn(service: StandInService, options: { cell: CellIdentity; callers: Callers; log: CallLog }): Promise<RunningStandIn> {
  const refusals = new Map<string, ServiceError>();
  const server = createServer(async (incoming, response) => {
    const send = (answer: StandInAnswer) => {
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    };
    try {
      const body = await readBody(incoming);
      const signed = { method: incoming.method ?? 'GET', url: incoming.url ?? '/', headers: incoming.headers, body };
      const verified = await verifySignature(signed, options.callers, service.signingName, options.cell.region);
      if (!verified.ok) return send(service.errorAnswer(new ServiceError(verified.type, verified.message, 403)));
      const recorded: AwsCall[] = [];
      const context: StandInContext = {
        ...options.cell,
        record: (call) => {
          const refusal = refusals.get(call.action);
          const entry = { ...call, caller: verified.caller, outcome: refusal ? refusal.type : 'ok' };
          recorded.push(entry);
          options.log.record(entry);
          if (refusal) throw refusal;
        },
      };
      try {
        send(await service.handle({ ...signed, caller: verified.caller }, context));
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        for (const entry of recorded) if (entry.outcome === 'ok') entry.outcome = error.type;
        send(service.errorAnswer(error));
      }
    } catch (error) {
      send(service.errorAnswer(new ServiceError('InternalFailure', `The ${service.name} stand-in failed: ${(error as Error).message}`, 500)));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    service,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    refuse: (action, error) => refusals.set(action, error),
    clearRefusals: () => refusals.clear(),
  };
}
