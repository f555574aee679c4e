import type { AddOns } from '../domain/add-ons';
import { isCarePlusActive } from '../domain/care-plus';
import type { Channel, Product, RevocationReason } from '../domain/products';
import { addOnUsageView } from '../domain/add-on-pools';
import { getCatalogVersions } from '../store/catalog';
import { addOnPoolUsage } from '../store/licenses';
import type { DeviceRecord, LicenseRecord } from '../store/records';

export interface LicenseView {
  slc: string;
  customerId: string;
  partnerId: string | null;
  product: Product;
  version: string;
  channel: Channel;
  status: 'active' | 'revoked';
  revocation: null | { reason: RevocationReason; note: string | null; at: string };
  entitlements: { deviceLicenses: number; addOns: AddOns };
  carePlus: { validUntil: string | null; active: boolean };
  usage: { deviceLicenses: number; devices: number; installations: number; addOns: Record<string, Record<string, number>> };
  managementServerFailover: { installationId: string | null };
  activationAvailableUntil: string;
  createdAt: string;
}

/**
 * The contract's license view (API.md §4) of a stored license at `now`. `activationAvailableUntil`
 * is the window of the license's current version as the catalog has it now (§4 rev 2: "The license
 * view's `activationAvailableUntil` shows the same value" as activations use).
 */
export function toLicenseView(record: LicenseRecord, now: Date, activationAvailableUntil: string): LicenseView {
  return {
    slc: record.slc,
    customerId: record.customerId,
    partnerId: record.partnerId ?? null,
    product: record.product,
    version: record.version,
    channel: record.channel,
    status: record.status,
    revocation: record.revocation
      ? { reason: record.revocation.reason, note: record.revocation.note ?? null, at: record.revocation.at }
      : null,
    entitlements: { deviceLicenses: record.entitledDeviceLicenses, addOns: record.addOns ?? {} },
    carePlus: { validUntil: record.carePlusValidUntil ?? null, active: isCarePlusActive(record.carePlusValidUntil, now) },
    usage: {
      deviceLicenses: record.usedDeviceLicenses,
      devices: record.activatedDevices,
      installations: record.installationCount,
      addOns: addOnUsageView(record.addOns ?? {}, addOnPoolUsage(record)),
    },
    managementServerFailover: { installationId: record.failoverInstallationId ?? null },
    activationAvailableUntil,
    createdAt: record.createdAt,
  };
}

/**
 * The views of several licenses, each with its version's window read from the catalog in one
 * batch. A version is never removed from the catalog; should one be missing, the window the license
 * was issued with is shown.
 */
export async function licenseViews(records: readonly LicenseRecord[], now: Date): Promise<LicenseView[]> {
  if (records.length === 0) return [];
  const catalog = await getCatalogVersions(records.map((record) => record.version));
  return records.map((record) => toLicenseView(record, now, catalog.get(record.version)?.activationAvailableUntil ?? record.activationAvailableUntil));
}

export const licenseView = async (record: LicenseRecord, now: Date): Promise<LicenseView> => (await licenseViews([record], now))[0]!;

export interface DeviceView {
  mac: string;
  deviceKey: string;
  installationId: string;
  status: 'activated' | 'released' | 'disabled';
  licenses: number;
  registrations: number;
  deletions: number;
  firstActivatedAt: string;
  lastChangedAt: string;
}

/** A device of `GET /v1/licenses/{slc}/devices`; a released device shows the installation that last held it. */
export function toDeviceView(record: DeviceRecord): DeviceView {
  return {
    mac: record.mac,
    deviceKey: record.deviceKey,
    installationId: record.installationId ?? record.lastInstallationId,
    status: record.status,
    licenses: record.licenses,
    registrations: record.registrations,
    deletions: record.deletions,
    firstActivatedAt: record.firstActivatedAt,
    lastChangedAt: record.lastChangedAt,
  };
}
