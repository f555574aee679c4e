import { verifyIdentityDocument, trustedCertificates, IdentityDocumentError, type InstanceIdentity } from '../adapters/identity-document';
import { unauthorized } from '../errors';
import type { Deployment } from '../store/records';

/** Verifies an EC2 instance identity document (§5.1 `aws`, §7); a bad one is 401 invalid_identity_document. */
export function verifiedIdentity(aws: { instanceIdentityDocument: string; signature: string }): InstanceIdentity {
  try {
    return verifyIdentityDocument(aws.instanceIdentityDocument, aws.signature, trustedCertificates());
  } catch (error) {
    if (error instanceof IdentityDocumentError) {
      throw unauthorized('invalid_identity_document', `The instance identity document was not accepted: ${error.message}`);
    }
    throw error;
  }
}

export function deploymentOf(type: 'aws-byol' | 'aws-ami-included', aws: { instanceIdentityDocument: string; signature: string }): Deployment {
  const identity = verifiedIdentity(aws);
  return { type, accountId: identity.accountId, region: identity.region, instanceId: identity.instanceId };
}
