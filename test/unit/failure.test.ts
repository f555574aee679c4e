import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../shared/adapters/aws-json';
import { describeFailure } from '../../shared/http/failure';

/** An AWS SDK v3 service exception as the SDK throws it. */
const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

describe('the cause of a 500, as logged', () => {
  it.each([
    [new AwsServiceError('GetSecretValue', 'ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret."), 'secret_not_found', /GetSecretValue failed: ResourceNotFoundException/],
    [new AwsServiceError('Decrypt', 'AccessDeniedException', 400, 'not authorized to perform: kms:Decrypt'), 'missing_permission', /kms:Decrypt/],
    [sdkError('AccessDeniedException', 'User is not authorized to perform: dynamodb:PutItem'), 'missing_permission', /AccessDeniedException: .*dynamodb:PutItem/],
    [sdkError('AuthorizationError', 'not authorized to perform SNS:Publish'), 'missing_permission', /SNS:Publish/],
    [new AwsServiceError('Decrypt', 'NetworkError', undefined, 'connect ECONNREFUSED'), 'aws_unavailable', /ECONNREFUSED/],
    [sdkError('ResourceNotFoundException', 'Requested resource not found'), 'resource_not_found', /does not exist/],
    [new Error('TABLE_NAME is not set'), 'configuration', /TABLE_NAME is not set/],
    [new TypeError('x is undefined'), 'error', /TypeError: x is undefined/],
  ])('%s → %s', (error, cause, message) => {
    const described = describeFailure(error);
    expect(described.cause).toBe(cause);
    expect(described.message).toMatch(message);
    expect(described.message).not.toMatch(/\n\s+at /);
  });
});
