import { fromEnv } from '@aws-sdk/credential-provider-env';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * One call of an AWS JSON 1.1 API: the operation name and its input, both as the API reference
 * documents them (blobs are base64 strings). Resolves to the parsed answer.
 */
export type AwsJsonCall = (operation: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>;

export interface AwsJsonServiceOptions {
  /** The service's signing name and endpoint prefix: `kms`, `secretsmanager`. */
  service: string;
  /** The prefix of the `X-Amz-Target` header: `TrentService` for KMS, `secretsmanager`. */
  targetPrefix: string;
  /** The SDK's endpoint variable of the service (`AWS_ENDPOINT_URL_KMS`); AWS_ENDPOINT_URL is also honoured. */
  endpointEnv: string;
  env?: NodeJS.ProcessEnv;
  /** Defaults to the environment's AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, as Lambda sets them. */
  credentials?: ReturnType<typeof fromEnv>;
  fetch?: typeof fetch;
  /** Attempts per call, the first included (the SDK's standard retry mode also makes 3). */
  maxAttempts?: number;
  /** Milliseconds one attempt may take before it is abandoned and retried. */
  attemptTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** An AWS service refused a call or could not be reached; `type` is the AWS error type (`__type`). */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';

  constructor(
    readonly operation: string,
    readonly type: string,
    readonly status: number | undefined,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${operation} failed: ${type}${status === undefined ? '' : ` (HTTP ${status})`}${detail ? `: ${detail}` : ''}`, options);
  }
}

/** Error types that mean "slow down" whatever their HTTP status (as the SDK's retry strategy treats them). */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'LimitExceededException',
]);
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 20_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `kms.eu-west-1.amazonaws.com`, or the `.com.cn` domain in the China regions. */
function endpointOf(options: AwsJsonServiceOptions, env: NodeJS.ProcessEnv, region: string): URL {
  const configured = env[options.endpointEnv] || env.AWS_ENDPOINT_URL;
  if (configured) return new URL(configured);
  return new URL(`https://${options.service}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/`);
}

/**
 * The type of an AWS JSON error answer: the `x-amzn-errortype` header or the body's `__type`
 * (`com.amazonaws.kms#NotFoundException` → `NotFoundException`), and its message.
 */
function errorOf(headers: Headers, text: string): { type: string | undefined; message: string } {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's or load balancer's page): the status speaks for it.
  }
  const raw = headers.get('x-amzn-errortype') ?? (typeof body.__type === 'string' ? body.__type : undefined);
  const type = raw?.split(':')[0]?.split('#').pop() || undefined;
  const message = body.message ?? body.Message;
  return { type, message: typeof message === 'string' ? message : '' };
}

/**
 * A client for one AWS JSON 1.1 service: each call is a POST of the input to the regional endpoint
 * with `X-Amz-Target: <prefix>.<operation>`, signed with Signature Version 4, sent with fetch.
 * Throttling, 5xx answers, timeouts and network failures are retried with full-jitter exponential
 * backoff; anything else, and the last failure, is an AwsServiceError naming the AWS error type.
 * Nothing is read or resolved until the first call.
 */
export function awsJsonService(options: AwsJsonServiceOptions): AwsJsonCall {
  const env = options.env ?? process.env;
  const send = options.fetch ?? fetch;
  const maxAttempts = options.maxAttempts ?? 3;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
  const sleep = options.sleep ?? defaultSleep;
  let target: { endpoint: URL; signer: SignatureV4 } | undefined;

  const resolve = () => {
    if (target) return target;
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
    if (!region) throw new Error(`AWS_REGION is not set: no ${options.service} endpoint to call`);
    const signer = new SignatureV4({ service: options.service, region, credentials: options.credentials ?? fromEnv(), sha256: Sha256 });
    target = { endpoint: endpointOf(options, env, region), signer };
    return target;
  };

  const attempt = async (operation: string, body: string): Promise<{ result: Record<string, unknown> } | { error: AwsServiceError; retry: boolean }> => {
    const { endpoint, signer } = resolve();
    const request = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      path: endpoint.pathname,
      query: {},
      headers: {
        host: endpoint.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${options.targetPrefix}.${operation}`,
      },
      body,
    });
    let response: Response;
    let text: string;
    try {
      response = await send(endpoint, {
        method: 'POST',
        headers: request.headers,
        body,
        signal: AbortSignal.timeout(attemptTimeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      const timedOut = cause instanceof DOMException && cause.name === 'TimeoutError';
      const detail = timedOut ? `no answer within ${attemptTimeoutMs} ms` : String((cause as Error)?.message ?? cause);
      return { error: new AwsServiceError(operation, timedOut ? 'TimeoutError' : 'NetworkError', undefined, detail, { cause }), retry: true };
    }
    if (response.ok) {
      try {
        return { result: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
      } catch (cause) {
        return { error: new AwsServiceError(operation, 'InvalidResponse', response.status, 'the answer is not JSON', { cause }), retry: false };
      }
    }
    const { type, message } = errorOf(response.headers, text);
    const retry = response.status >= 500 || response.status === 429 || (type !== undefined && THROTTLING.has(type));
    return { error: new AwsServiceError(operation, type ?? `HTTP${response.status}`, response.status, message), retry };
  };

  return async (operation, input) => {
    const body = JSON.stringify(input);
    for (let attempts = 1; ; attempts++) {
      const outcome = await attempt(operation, body);
      if ('result' in outcome) return outcome.result;
      if (!outcome.retry || attempts >= maxAttempts) throw outcome.error;
      await sleep(Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempts));
    }
  };
}
