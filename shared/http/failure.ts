import { AwsServiceError } from '../adapters/aws-json';

/**
 * What made a request fail with 500, in one log line ops can act on, without a stack trace: the
 * kind of failure and a sentence naming the call and the AWS error type. The deployed path adds
 * failures the embedded runtime never has: a permission the role lacks, a secret that is missing
 * or not valid, a misconfigured environment, a service that cannot be reached.
 */
export interface FailureDescription {
  cause: 'missing_permission' | 'secret_not_found' | 'resource_not_found' | 'aws_unavailable' | 'aws_error' | 'configuration' | 'error';
  message: string;
}

const PERMISSION_ERRORS = new Set(['AccessDeniedException', 'AccessDenied', 'AuthorizationError', 'AuthorizationErrorException', 'UnrecognizedClientException', 'KMSAccessDeniedException']);
const NOT_FOUND_ERRORS = new Set(['ResourceNotFoundException', 'NotFoundException', 'NotFound']);

/** An AWS SDK v3 service exception: a named error with `$metadata`. */
function isSdkServiceError(error: unknown): error is Error & { $metadata: { httpStatusCode?: number } } {
  return error instanceof Error && typeof (error as { $metadata?: unknown }).$metadata === 'object';
}

export function describeFailure(error: unknown): FailureDescription {
  if (error instanceof AwsServiceError || isSdkServiceError(error)) {
    const type = error instanceof AwsServiceError ? error.type : error.name;
    const operation = error instanceof AwsServiceError ? error.operation : '';
    const message = error instanceof AwsServiceError ? error.message : `${type}: ${error.message}`;
    if (PERMISSION_ERRORS.has(type)) return { cause: 'missing_permission', message: `AWS refused a call (a permission the function's role lacks?): ${message}` };
    if (NOT_FOUND_ERRORS.has(type)) {
      return operation === 'GetSecretValue'
        ? { cause: 'secret_not_found', message: `A secret the function reads does not exist: ${message}` }
        : { cause: 'resource_not_found', message: `An AWS resource the function uses does not exist: ${message}` };
    }
    if (type === 'NetworkError' || type === 'TimeoutError') return { cause: 'aws_unavailable', message };
    return { cause: 'aws_error', message };
  }
  if (error instanceof Error) {
    const message = `${error.name}: ${error.message}`;
    if (/ is not set\b|must be |secret (must|has no|named)/i.test(error.message)) return { cause: 'configuration', message };
    return { cause: 'error', message };
  }
  return { cause: 'error', message: String(error) };
}
