import { AwsServiceError } from '../adapters/aws-json';

/**
 * What made a request fail with 500, for one log line ops can act on: the kind of failure and a
 * sentence naming the call and the AWS error type. The deployed path adds failures the embedded
 * runtime never has: a permission the role lacks, a secret that is missing or not valid, a
 * misconfigured environment, a service that cannot be reached. Like every error in the logs, the
 * sentence carries names, types and codes, never a provider's message (it can echo a request);
 * only the service's own configuration errors keep theirs (they name a variable, never a value).
 */
export interface FailureDescription {
  cause: 'missing_permission' | 'secret_not_found' | 'resource_not_found' | 'aws_unavailable' | 'aws_error' | 'configuration' | 'error';
  message: string;
}

const PERMISSION_ERRORS = new Set(['AccessDeniedException', 'AccessDenied', 'AuthorizationError', 'AuthorizationErrorException', 'UnrecognizedClientException', 'KMSAccessDeniedException']);
const NOT_FOUND_ERRORS = new Set(['ResourceNotFoundException', 'NotFoundException', 'NotFound']);
const CONFIGURATION = /^[A-Z][A-Z0-9_]+ (is not set|must be [^:]*)$|^The [a-z ]+ secret (must hold|has no) [^:]*$/;

/** An AWS SDK v3 service exception: a named error with `$metadata`. */
function isSdkServiceError(error: unknown): error is Error & { $metadata: { httpStatusCode?: number } } {
  return error instanceof Error && typeof (error as { $metadata?: unknown }).$metadata === 'object';
}

export function describeFailure(error: unknown): FailureDescription {
  if (error instanceof AwsServiceError || isSdkServiceError(error)) {
    const type = error instanceof AwsServiceError ? error.type : error.name;
    const operation = error instanceof AwsServiceError ? error.operation : undefined;
    const status = error instanceof AwsServiceError ? error.status : error.$metadata.httpStatusCode;
    const call = `${operation ? `${operation} failed: ` : ''}${type}${status === undefined ? '' : ` (HTTP ${status})`}`;
    if (PERMISSION_ERRORS.has(type)) return { cause: 'missing_permission', message: `AWS refused a call, a permission the function's role lacks: ${call}` };
    if (NOT_FOUND_ERRORS.has(type)) {
      return operation === 'GetSecretValue'
        ? { cause: 'secret_not_found', message: `A secret the function reads does not exist: ${call}` }
        : { cause: 'resource_not_found', message: `An AWS resource the function uses does not exist: ${call}` };
    }
    if (type === 'NetworkError' || type === 'TimeoutError') return { cause: 'aws_unavailable', message: `AWS could not be reached: ${call}` };
    return { cause: 'aws_error', message: `An AWS call failed: ${call}` };
  }
  if (error instanceof Error) {
    if (CONFIGURATION.test(error.message)) return { cause: 'configuration', message: `The function is not configured correctly: ${error.message}` };
    const code = (error as { code?: unknown }).code;
    return { cause: 'error', message: `${error.name}${typeof code === 'string' ? ` (${code})` : ''}` };
  }
  return { cause: 'error', message: 'a thrown value that is not an Error' };
}
