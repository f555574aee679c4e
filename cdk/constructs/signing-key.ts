import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The only algorithm the functions may sign with (KMS Sign, MessageType RAW). */
export const SIGNING_ALGORITHM = 'ED25519_SHA_512';

export interface SigningKeyProps {
  /** Earlier keys whose public keys stay published at GET /v1/keys (ARNs). */
  retiredKeyArns: string[];
}

/**
 * The asymmetric KMS key (ECC_NIST_EDWARDS25519) that signs license documents. The private key never
 * leaves KMS; the functions call Sign through the Signer port's KMS adapter and publish the public
 * key, read with GetPublicKey, at GET /v1/keys.
 */
export class SigningKey extends Construct {
  readonly key: Key;
  readonly retiredKeyArns: string[];

  constructor(scope: Construct, id: string, props: SigningKeyProps) {
    super(scope, id);
    this.retiredKeyArns = props.retiredKeyArns;
    this.key = new Key(this, 'Key', {
      description: 'Cloud Licensing: signs license documents (JWS EdDSA)',
      keySpec: KeySpec.ECC_NIST_EDWARDS25519,
      keyUsage: KeyUsage.SIGN_VERIFY,
      alias: 'alias/cloud-licensing/license-signing',
      // Losing the key would make every issued license document unverifiable.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.key).acknowledge({
      id: 'AwsSolutions-KMS5',
      reason:
        'KMS cannot rotate asymmetric keys automatically. The signing key is changed by deploying a new key and listing the old one in retiredSigningKeys, so its public key stays published while documents it signed are valid.',
    });
  }

  /** Sign with ED25519_SHA_512 only, and read the public keys (to name the `kid`). */
  grantSign(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Sign'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:SigningAlgorithm': SIGNING_ALGORITHM } },
      }),
    );
    this.grantPublish(grantee);
  }

  /** Read the public keys of the current and retired signing keys. */
  grantPublish(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [this.key.keyArn, ...this.retiredKeyArns] }),
    );
  }
}
