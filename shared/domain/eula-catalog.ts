/**
 * The EULA catalog (API.md §4, rev 2): which EULA versions an activation may accept. Pure; no I/O.
 *
 * EULA: "By activating the licenses for the Product, you accept that core system data … is exchanged
 * and stored in the Milestone's licensing system." and "Any purchase of the Product requires prior
 * acceptance of this EULA." An activation names the EULA version it accepted; the catalog says which
 * versions still count as accepted.
 */
export type EulaStatus = 'current' | 'accepted' | 'retired';

export interface EulaEntry {
  eulaVersion: string;
  status: EulaStatus;
}

/** What a PUT of one version's status writes: the entry itself and, when it becomes current, the previous current one. */
export type EulaChange =
  | { kind: 'write'; entry: EulaEntry; previousCurrent: string | null }
  | { kind: 'unchanged'; entry: EulaEntry }
  | { kind: 'refused'; code: 'eula_current' };

/**
 * "Exactly one version is `current`: making another one current turns the previous one into
 * `accepted`; the current one cannot be retired directly (409 `eula_current`)."
 *
 * Setting the current version to `accepted` would leave no current version either, so it is refused
 * in the same way: a version stops being current only when another one becomes current.
 */
export function changeEulaStatus(current: string, version: string, status: EulaStatus, existing: EulaStatus | undefined): EulaChange {
  if (version === current) {
    return status === 'current' ? { kind: 'unchanged', entry: { eulaVersion: version, status } } : { kind: 'refused', code: 'eula_current' };
  }
  if (existing === status) return { kind: 'unchanged', entry: { eulaVersion: version, status } };
  return { kind: 'write', entry: { eulaVersion: version, status }, previousCurrent: status === 'current' ? current : null };
}

/**
 * "An activation's `eulaVersion` must be `current` or `accepted`, else 422 `eula_not_accepted`."
 * `catalogCurrent` is undefined while the catalog has no EULA entry: "When the catalog has no EULA
 * entry, the `EULA_VERSION` setting is entered as the current version."
 */
export function isEulaAccepted(
  requested: string,
  catalog: { current: string | undefined; entry: EulaEntry | undefined },
  configuredVersion: string,
): boolean {
  if (catalog.current === undefined) return requested === configuredVersion;
  return catalog.entry?.status === 'current' || catalog.entry?.status === 'accepted';
}
