import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../shared/adapters/aws-json';
import { describeFailure } from '../../shared/http/failure';

/** An AWS SDK v3 service exception as the SDK throws it. */
const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

describe('the cause of a 500, as logged', () => {
  it.each([
    [new AwsServiceError('GetSecretValue', 'ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret."), 'secret_not_found', /secret .* does not exist: GetSecretValue failed: ResourceNotFoundException \(HTTP 400\)$/],
    [new AwsServiceError('Decrypt', 'AccessDeniedException', 400, 'not authorized to perform: kms:Decrypt'), 'missing_permission', /role lacks: Decrypt failed: AccessDeniedException/],
    [sdkError('AccessDeniedException', 'User is not authorized to perform: dynamodb:PutItem'), 'missing_permission', /role lacks: AccessDeniedException \(HTTP 400\)$/],
    [sdkError('AuthorizationError', 'not authorized to perform SNS:Publish'), 'missing_permission', /AuthorizationError/],
    [new AwsServiceError('Decrypt', 'NetworkError', undefined, 'connect ECONNREFUSED 10.1.2.3'), 'aws_unavailable', /Decrypt failed: NetworkError$/],
    [sdkError('ResourceNotFoundException', 'Requested resource not found'), 'resource_not_found', /does not exist: ResourceNotFoundException/],
    [new Error('TABLE_NAME is not set'), 'configuration', /not configured correctly: TABLE_NAME is not set$/],
    [new TypeError('x is undefined for token abc'), 'error', /^TypeError$/],
  ])('%s → %s', (error, cause, message) => {
    const described = describeFailure(error);
    expect(described.cause).toBe(cause);
    expect(described.message).toMatch(message);
    // Names, types and codes only: never a provider's message.
    expect(described.message).not.toMatch(/can't find|not authorized|ECONNREFUSED|10\.1\.2\.3|token abc|\n\s+at /);
  });
});
