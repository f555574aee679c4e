/**
 * License upgrades (API.md §4 rev 2, PATCH `version` and `product`). Pure; no I/O.
 *
 * EULA, "Milestone Product Lifecycle": "license activation is available for 10 years after
 * Product's general availability" — an upgraded license follows the lifecycle of its new version.
 * The edition limits are those of the general terms per product (API.md §5.3 and §5.4).
 */
import type { AddOnName, AddOns } from './add-ons';
import { editionRefusal, editionRules } from './editions';
import { addOnsNotAvailable } from './license-entitlements';
import type { Product } from './products';
import { compareVersions } from './versions';

export type VersionChangeRefusal = 'unknown_product_version' | 'version_downgrade';

/** "it must be in the catalog (422 `unknown_product_version`) and not older than the current version (422 `version_downgrade`)". */
export function versionChangeRefusal(current: string, next: string, inCatalog: boolean): VersionChangeRefusal | undefined {
  if (!inCatalog) return 'unknown_product_version';
  if (compareVersions(next, current) < 0) return 'version_downgrade';
  return undefined;
}

/** What a license uses now, and the entitlements it is to carry, for judging an edition change. */
export interface LicenseUse {
  /** Its installations that are not retired, with their recording servers. */
  activeInstallations: ReadonlyArray<{ installationId: string; recordingServers: ReadonlyArray<{ failover: boolean }> }>;
  activatedDevices: number;
  deviceLicenses: number;
  addOns: AddOns;
}

export interface EditionProblem {
  path: string;
  message: string;
}

/**
 * "`product` changes the edition when the license's current use fits the new edition: its active
 * installations, their recording servers and failover servers (§5.3), its activated devices (the
 * edition cap), and its add-on entitlements (§5.4); otherwise 409 `edition_limits_exceeded` with
 * `details` naming what does not fit." The device-license entitlement is judged too: an Essential+
 * SLC carries at most 8 device licenses (§4 `edition_limit`). Every problem is named, in this order:
 * installations, each installation's recording servers, devices, device licenses, add-ons.
 */
export function editionChangeProblems(product: Product, use: LicenseUse): EditionProblem[] {
  const rules = editionRules(product);
  const problems: EditionProblem[] = [];
  if (rules.singleInstallation && use.activeInstallations.length > 1) {
    problems.push({ path: 'installations', message: `${use.activeInstallations.length} active installations; the ${product} edition allows one per SLC` });
  }
  for (const installation of use.activeInstallations) {
    const refusal = editionRefusal(product, installation);
    if (refusal) problems.push({ path: `installations.${installation.installationId}.recordingServers`, message: `${refusal.code}: ${refusal.message}` });
  }
  if (rules.maxActivatedDevices !== null && use.activatedDevices > rules.maxActivatedDevices) {
    problems.push({ path: 'devices', message: `${use.activatedDevices} activated devices; the ${product} edition allows at most ${rules.maxActivatedDevices}` });
  }
  if (rules.maxDeviceLicensesEntitlement !== null && use.deviceLicenses > rules.maxDeviceLicensesEntitlement) {
    problems.push({ path: 'deviceLicenses', message: `${use.deviceLicenses} device licenses; the ${product} edition carries at most ${rules.maxDeviceLicensesEntitlement}` });
  }
  for (const name of addOnsNotAvailable(product, use.addOns)) {
    problems.push({ path: `addOns.${name satisfies AddOnName}`, message: `not available for the ${product} edition` });
  }
  return problems;
}
