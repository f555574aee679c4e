import { clock } from '../adapters/clock';
import { config } from '../config';
import { changeEulaStatus, isEulaAccepted, type EulaEntry, type EulaStatus } from '../domain/eula-catalog';
import { conflict } from '../errors';
import { listEulas, readEulaCatalog, writeEulaStatus, type EulaCatalogState } from '../store/eulas';
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
 * general availability. Every license of the version follows a corrected general availability: its
 * window is read from the catalog at each activation and in the license view.
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

/** Changes of the EULA catalog that met another one are re-read and tried again this often. */
const EULA_ATTEMPTS = 10;

/** §4 `PUT /v1/catalog/eulas/{eulaVersion}`: sets one version's status (see changeEulaStatus). */
export async function defineEulaStatus(version: string, status: EulaStatus): Promise<EulaEntry> {
  for (let attempt = 0; attempt < EULA_ATTEMPTS; attempt++) {
    const state = await readEulaCatalog(version);
    // An empty catalog holds the `EULA_VERSION` setting as its current version.
    const current = { version: state.current ?? config.eulaVersion(), seeded: state.current !== undefined };
    const change = changeEulaStatus(current.version, version, status, state.entry?.status);
    if (change.kind === 'refused') {
      throw conflict('eula_current', 'This EULA version is the current one; make another version current first.');
    }
    if (change.kind === 'unchanged') return change.entry;
    if ((await writeEulaStatus(change.entry, current, clock.now().toISOString())) === 'written') return change.entry;
  }
  throw new Error('the EULA catalog stayed contended');
}

/** §4 `GET /v1/catalog/eulas`: an empty catalog lists the `EULA_VERSION` setting as current (nothing is written for a read). */
export async function eulaCatalog(limit: number, cursor?: string): Promise<Page<EulaEntry>> {
  const page = await listEulas(limit, cursor);
  if (page.items.length === 0 && cursor === undefined) return { items: [{ eulaVersion: config.eulaVersion(), status: 'current' }], nextCursor: null };
  return page;
}

/** §5.1: whether an activation may accept `eulaVersion` (current or accepted), from the catalog state it read. */
export const eulaAcceptedIn = (eulaVersion: string, catalog: EulaCatalogState): boolean => isEulaAccepted(eulaVersion, catalog, config.eulaVersion());
