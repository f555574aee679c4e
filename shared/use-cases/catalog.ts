import { clock } from '../adapters/clock';
import { activationAvailableUntil } from '../domain/versions';
import { listCatalogVersions, putCatalogVersion } from '../store/catalog';
import type { Page } from '../store/pagination';
import type { CatalogVersionRecord } from '../store/records';

export interface CatalogVersionView {
  version: string;
  generalAvailability: string;
  activationAvailableUntil: string;
}

export const toCatalogVersionView = (entry: CatalogVersionRecord): CatalogVersionView => ({
  version: entry.version,
  generalAvailability: entry.generalAvailability,
  activationAvailableUntil: entry.activationAvailableUntil,
});

/**
 * Creates or replaces a product version of the catalog; its activation window ends 10 years after
 * general availability. Licenses already issued keep the window they were issued with.
 */
export async function defineCatalogVersion(version: string, generalAvailability: string): Promise<CatalogVersionRecord> {
  const entry: CatalogVersionRecord = {
    version,
    generalAvailability,
    activationAvailableUntil: activationAvailableUntil(generalAvailability),
    updatedAt: clock.now().toISOString(),
  };
  await putCatalogVersion(entry);
  return entry;
}

export const catalogVersions = (limit: number, cursor?: string): Promise<Page<CatalogVersionRecord>> => listCatalogVersions(limit, cursor);
