import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatePlatformEndpointCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { awsJsonService } from '../../shared/adapters/aws-json';
import { startStandIns, type StandIns } from '../../local/aws/stand-ins';

const cell = { region: 'eu-west-1', account: '123456789012', partition: 'aws' };
const credentials = { accessKeyId: 'ASIALOCALTEST0000001', secretAccessKey: 'secret-of-the-test-function', sessionToken: 'session-token-1' };

let standIns: StandIns;
let env: NodeJS.ProcessEnv;
let keyArn: string;
let secretArn: string;

beforeAll(async () => {
  standIns = await startStandIns({ cell, dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT!, tableName: 'stand-in-test' });
  standIns.callers.register(credentials.accessKeyId, { name: 'TestFunction', secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken });
  const resource = (logicalId: string, type: string) => ({ stackName: 'CloudLicensing-eu-west-1', logicalId, type, properties: {} });
  keyArn = standIns.services.kms.provision(resource('SigningKey', 'AWS::KMS::Key'), cell).attributes.Arn!;
  secretArn = standIns.services.secretsManager.provision(resource('Secret', 'AWS::SecretsManager::Secret'), cell).ref;
  standIns.services.secretsManager.put(secretArn, 'the value');
  env = {
    AWS_REGION: cell.region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    ...standIns.endpointEnvironment,
  };
});
afterAll(() => standIns?.stop());

const signedWith = (values: NodeJS.ProcessEnv) => async () => ({
  accessKeyId: values.AWS_ACCESS_KEY_ID!,
  secretAccessKey: values.AWS_SECRET_ACCESS_KEY!,
  sessionToken: values.AWS_SESSION_TOKEN,
});

const kms = (overrides: NodeJS.ProcessEnv = {}) =>
  awsJsonService({
    service: 'kms',
    targetPrefix: 'TrentService',
    endpointEnv: 'AWS_ENDPOINT_URL_KMS',
    env: { ...env, ...overrides },
    credentials: signedWith({ ...env, ...overrides }),
    maxAttempts: 1,
  });

describe('AWS stand-ins', () => {
  it('KMS: generates an Ed25519 data key pair bound to its encryption context and decrypts it only with that context', async () => {
    const context = { purpose: 'test', table: 't', generation: '1' };
    const pair = await kms()('GenerateDataKeyPairWithoutPlaintext', { KeyId: keyArn, KeyPairSpec: 'ECC_NIST_EDWARDS25519', EncryptionContext: context });
    expect(pair.KeyId).toBe(keyArn);
    const decrypted = await kms()('Decrypt', { CiphertextBlob: pair.PrivateKeyCiphertextBlob, KeyId: keyArn, EncryptionContext: context });
    expect(Buffer.from(decrypted.Plaintext as string, 'base64').length).toBeGreaterThan(32);
    await expect(kms()('Decrypt', { CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: { ...context, generation: '2' } })).rejects.toThrow(
      /InvalidCiphertextException/,
    );
    const recorded = standIns.calls.calls.filter((call) => call.resource === keyArn);
    expect(recorded[0]).toMatchObject({
      caller: 'TestFunction',
      action: 'kms:GenerateDataKeyPairWithoutPlaintext',
      context: { 'kms:EncryptionContext:purpose': 'test', 'kms:DataKeyPairSpec': 'ECC_NIST_EDWARDS25519' },
      outcome: 'ok',
    });
    expect(recorded.map((call) => [call.action, call.outcome])).toEqual([
      ['kms:GenerateDataKeyPairWithoutPlaintext', 'ok'],
      ['kms:Decrypt', 'ok'],
      ['kms:Decrypt', 'InvalidCiphertextException'],
    ]);
  });

  it('refuses a request whose signature does not verify, and one from an unknown access key', async () => {
    await expect(kms({ AWS_SECRET_ACCESS_KEY: 'another secret' })('Decrypt', { CiphertextBlob: 'AA==' })).rejects.toThrow(/InvalidSignatureException/);
    await expect(kms({ AWS_ACCESS_KEY_ID: 'ASIAUNKNOWN000000000' })('Decrypt', { CiphertextBlob: 'AA==' })).rejects.toThrow(/UnrecognizedClientException/);
  });

  it('Secrets Manager: GetSecretValue by ARN; a removed secret is ResourceNotFoundException', async () => {
    const secrets = awsJsonService({ service: 'secretsmanager', targetPrefix: 'secretsmanager', endpointEnv: 'AWS_ENDPOINT_URL_SECRETS_MANAGER', env, credentials: signedWith(env), maxAttempts: 1 });
    expect((await secrets('GetSecretValue', { SecretId: secretArn })).SecretString).toBe('the value');
    standIns.services.secretsManager.remove(secretArn);
    await expect(secrets('GetSecretValue', { SecretId: secretArn })).rejects.toThrow(/ResourceNotFoundException/);
  });

  it('SNS and SES through the SDK clients and their endpoint variables', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const sns = new SNSClient({});
      const application = `arn:aws:sns:${cell.region}:${cell.account}:app/GCM/test-app`;
      const first = await sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: application, Token: 'token-1' }));
      const again = await sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: application, Token: 'token-1' }));
      expect(first.EndpointArn).toMatch(/:endpoint\/GCM\/test-app\//);
      expect(again.EndpointArn).toBe(first.EndpointArn);
      await sns.send(new PublishCommand({ TargetArn: first.EndpointArn, MessageStructure: 'json', Message: JSON.stringify({ default: 'hi' }) }));
      await expect(sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: 'arn:aws:sns:us-east-1:123456789012:app/GCM/x', Token: 't' }))).rejects.toMatchObject({
        name: 'NotFoundException',
      });
      const ses = new SESv2Client({});
      const sent = await ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'no-reply@licensing.example.com',
          Destination: { ToAddresses: ['a@example.com'] },
          Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } },
        }),
      );
      expect(sent.MessageId).toBeTruthy();
      const dynamodb = new DynamoDBClient({});
      await dynamodb.send(new ListTablesCommand({}));
      expect(standIns.calls.calls.filter((call) => call.caller === 'TestFunction').map((call) => [call.action, call.resource])).toEqual(
        expect.arrayContaining([
          ['sns:CreatePlatformEndpoint', application],
          ['sns:Publish', first.EndpointArn],
          ['ses:SendEmail', `arn:aws:ses:${cell.region}:${cell.account}:identity/licensing.example.com`],
          ['dynamodb:ListTables', `arn:aws:dynamodb:${cell.region}:${cell.account}:table/undefined`],
        ]),
      );
    } finally {
      process.env = saved;
    }
  });
});
