import { randomUUID } from 'node:crypto';
import {
  arn,
  awsJson,
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

interface StoredSecret {
  arn: string;
  name: string;
  value: string | undefined;
  versionId: string;
  createdAt: number;
}

/**
 * Secrets Manager (AWS JSON 1.1, `secretsmanager`): the template's secrets (AWS::SecretsManager::Secret,
 * named as CloudFormation names them, `<logical id>-<suffix>`, ARN with the 6-character suffix) and
 * GetSecretValue by ARN or name. Values are put by the runtime (`put`) before the functions start;
 * a secret without a value, or removed with `remove`, answers ResourceNotFoundException.
 */
export class SecretsManagerStandIn implements StandInService {
  readonly name = 'Secrets Manager';
  readonly signingName = 'secretsmanager';
  readonly endpointEnv = 'AWS_ENDPOINT_URL_SECRETS_MANAGER';
  readonly resourceTypes = ['AWS::SecretsManager::Secret'] as const;
  private readonly secrets = new Map<string, StoredSecret>();

  provision(resource: TemplateResource, cell: CellIdentity): PhysicalResource {
    const id = stableId(resource, 18);
    const name = `${resource.logicalId}-${id.slice(0, 12)}`;
    const secretArn = arn(cell, 'secretsmanager', `secret:${name}-${id.slice(12, 18)}`);
    this.secrets.set(secretArn, { arn: secretArn, name, value: undefined, versionId: randomUUID(), createdAt: Date.now() / 1000 });
    return { ref: secretArn, attributes: { Id: secretArn } };
  }

  /** Sets a secret's current value (what ops do with `aws secretsmanager put-secret-value`). */
  put(secretArn: string, value: string): void {
    const secret = this.secrets.get(secretArn);
    if (!secret) throw new Error(`No secret ${secretArn} in the template`);
    Object.assign(secret, { value, versionId: randomUUID() });
  }

  /** Removes a secret's value: GetSecretValue answers ResourceNotFoundException (a broken cell). */
  remove(secretArn: string): void {
    const secret = this.secrets.get(secretArn);
    if (secret) secret.value = undefined;
  }

  async handle(request: StandInRequest, context: StandInContext): Promise<StandInAnswer> {
    const operation = awsJson.operation(request, 'secretsmanager');
    if (operation !== 'GetSecretValue') throw new ServiceError('UnsupportedOperationException', `The Secrets Manager stand-in does not implement ${operation}.`);
    const { SecretId } = awsJson.input(request);
    if (typeof SecretId !== 'string' || !SecretId) throw new ServiceError('InvalidParameterException', 'SecretId is required.');
    const secret = [...this.secrets.values()].find((candidate) => candidate.arn === SecretId || candidate.name === SecretId);
    // IAM authorises on the secret's ARN; a secret that does not exist is authorised on the ARN pattern it was asked by.
    context.record({ action: 'secretsmanager:GetSecretValue', resource: secret?.arn ?? arn(context, 'secretsmanager', `secret:${SecretId}`), context: {} });
    if (!secret || secret.value === undefined) {
      throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    }
    return awsJson.answer({
      ARN: secret.arn,
      Name: secret.name,
      SecretString: secret.value,
      VersionId: secret.versionId,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.createdAt,
    });
  }

  errorAnswer(error: ServiceError): StandInAnswer {
    return awsJson.error(error);
  }
}
