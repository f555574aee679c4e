import { RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SIGNING_KEY_PAIR_SPEC, SIGNING_KEY_PURPOSE } from '../../shared/adapters/envelope-signer';

export interface SigningKeyProps {
  /** The cell's table: its name is part of the encryption context of every signing key. */
  tableName: string;
}

/**
 * The cell's symmetric KMS key (rotated yearly by KMS) under which the license-signing keys are kept:
 * each generation is an Ed25519 data key pair (GenerateDataKeyPairWithoutPlaintext) whose private key
 * is stored encrypted in the table and decrypted by the signing functions with KMS Decrypt. The
 * encryption context names the purpose, the table and the generation, and the grants require it.
 */
export class SigningKey extends Construct {
  readonly key: Key;
  private readonly tableName: string;

  constructor(scope: Construct, id: string, props: SigningKeyProps) {
    super(scope, id);
    this.tableName = props.tableName;
    this.key = new Key(this, 'Key', {
      description: 'Cloud Licensing: encrypts the Ed25519 keys that sign license documents',
      enableKeyRotation: true,
      alias: 'alias/cloud-licensing/license-signing',
      // Losing the key would leave the stored signing keys undecryptable: nothing could sign.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Create a generation (an Ed25519 data key pair, nothing else) and decrypt a generation's private
   * key, both only with this cell's signing-key encryption context.
   */
  grantSign(grantee: IGrantable): void {
    const context = {
      'kms:EncryptionContext:purpose': SIGNING_KEY_PURPOSE,
      'kms:EncryptionContext:table': this.tableName,
    };
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKeyPairWithoutPlaintext'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { ...context, 'kms:DataKeyPairSpec': SIGNING_KEY_PAIR_SPEC } },
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.key.keyArn], conditions: { StringEquals: context } }),
    );
  }
}
