import { randomUUID } from 'node:crypto';
import { clock } from '../adapters/clock';
import { includedLicenseProductCode, type InstanceIdentity } from '../adapters/identity-document';
import { config } from '../config';
import { editionRules } from '../domain/editions';
import { conflict, forbidden, unprocessable } from '../errors';
import type { ActivationConfiguration } from '../schemas/activation';
import { getClaim, putClaim, recordClaimSlc, renewClaim, type AmiClaim } from '../store/ami-claims';
import { getCatalogVersion } from '../store/catalog';
import { getCustomer, putNewCustomer } from '../store/customers';
import { getInstallation } from '../store/installations';
import type { CustomerRecord } from '../store/records';
import { activate, ACTIVATION_LEASE_MS, type ActivationResult } from './activate';
import { verifiedIdentity } from './deployment';
import { issueLicense } from './licenses';

/**
 * A claim younger than this belongs to a first activation still running; older ones were
 * abandoned. A repeat that takes one over completes the same installation id, under the
 * activation's own lease, so it may be as short as that lease.
 */
const CLAIM_LEASE_MS = ACTIVATION_LEASE_MS;

/**
 * The customer record of an AWS account that runs included-license AMIs. AWS Marketplace screens
 * its buyers, so the account is recorded as verified; its country is not known ("ZZ").
 */
async function awsAccountCustomer(accountId: string): Promise<CustomerRecord> {
  const customerId = `aws-account-${accountId}`;
  const existing = await getCustomer(customerId);
  if (existing) return existing;
  const customer: CustomerRecord = {
    customerId,
    name: `AWS account ${accountId}`,
    country: 'ZZ',
    partnerId: null,
    verification: 'verified',
    verificationReason: null,
    contacts: [],
    createdAt: clock.now().toISOString(),
  };
  // Another first call of the same account may have written it meanwhile: that one is the customer.
  await putNewCustomer(customer);
  return (await getCustomer(customerId))!;
}

/** The instance's claim: new, or an abandoned one taken over; a live or finished one is 409. */
async function claimInstance(identity: InstanceIdentity): Promise<AmiClaim> {
  const now = clock.now().getTime();
  const fresh: AmiClaim = { accountId: identity.accountId, instanceId: identity.instanceId, installationId: randomUUID(), slc: null, claimedAt: now };
  if (await putClaim(fresh)) return fresh;
  const existing = (await getClaim(identity.accountId, identity.instanceId))!;
  // Our own claim, written by an attempt whose answer was lost and then retried by the SDK.
  if (existing.installationId === fresh.installationId) return fresh;
  const installation = await getInstallation(existing.installationId);
  const exists = () => conflict('installation_exists', 'This instance has activated already; re-activate with its installation credentials.');
  if (installation && (installation.status !== 'active' || installation.lastActivation)) throw exists();
  if (existing.claimedAt > now - CLAIM_LEASE_MS) throw exists();
  if (!(await renewClaim(existing, now))) {
    const renewed = await getClaim(identity.accountId, identity.instanceId);
    if (renewed?.claimedAt !== now) throw exists(); // someone else took it over (else: ours, answer lost)
  }
  return { ...existing, claimedAt: now };
}

/**
 * §7: an instance of an included-license AMI activates with its identity document. Its first call
 * creates an essential-plus license (channel `ami-included`, 8 device licenses) for the AWS account
 * and instance, then activates as §5 does. A second first call for the instance is 409.
 */
export async function activateIncludedAmi(input: {
  aws: { instanceIdentityDocument: string; signature: string };
  productVersion: string;
  configuration: ActivationConfiguration;
  actor: string;
  sourceIp: string;
}): Promise<ActivationResult> {
  const identity = verifiedIdentity(input.aws);
  if (!includedLicenseProductCode(identity, config.amiIncludedProductCodes())) {
    throw forbidden('not_an_included_license_ami', 'The instance does not run an AMI with an included license.');
  }
  if (input.configuration.eulaVersion !== config.eulaVersion()) {
    throw unprocessable('eula_not_accepted', `Activation needs acceptance of EULA version ${config.eulaVersion()}.`);
  }

  if (!(await getCatalogVersion(input.productVersion))) {
    throw unprocessable('unknown_product_version', 'This product version is not in the catalog.');
  }

  const claim = await claimInstance(identity);
  let slc = claim.slc;
  if (!slc) {
    const customer = await awsAccountCustomer(identity.accountId);
    const license = await issueLicense(
      {
        customerId: customer.customerId,
        product: 'essential-plus',
        version: input.productVersion,
        deviceLicenses: editionRules('essential-plus').maxDeviceLicensesEntitlement!,
        channel: 'ami-included',
        aws: { accountId: identity.accountId, instanceId: identity.instanceId, region: identity.region },
      },
      { actor: input.actor, sourceIp: input.sourceIp },
      // One license per claim, even when a first run issued it and stopped before recording it.
      { id: `ami#${claim.accountId}#${claim.instanceId}#${claim.installationId}`, fingerprint: `ami#${claim.accountId}#${claim.instanceId}` },
    );
    if (!(await recordClaimSlc(claim, license.slc)) && (await getClaim(claim.accountId, claim.instanceId))?.slc !== license.slc) {
      throw conflict('installation_exists', 'This instance has activated already; re-activate with its installation credentials.');
    }
    slc = license.slc;
  }
  return activate({
    target: { kind: 'first-with-id', slc, installationId: claim.installationId },
    configuration: input.configuration,
    deployment: { type: 'aws-ami-included', accountId: identity.accountId, region: identity.region, instanceId: identity.instanceId },
    actor: input.actor,
    sourceIp: input.sourceIp,
  });
}
