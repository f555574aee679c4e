/**
 * Edition limits (API.md §5.3). Pure functions; no I/O.
 */
import type { Product } from './products';

export interface EditionRules {
  /** "management servers per SLC: one installation (`installation_limit_reached`, 409)". */
  singleInstallation: boolean;
  /** Non-failover recording servers per installation; null = unrestricted. */
  maxRecordingServers: number | null;
  /** Whether failover recording servers are allowed. */
  failoverRecordingServers: boolean;
  /** "max activated devices": a fixed cap, or null when only the entitlement limits it. */
  maxActivatedDevices: number | null;
  /** Most device licenses an SLC of this edition may be issued with; null = no edition limit. */
  maxDeviceLicensesEntitlement: number | null;
}

/** The §5.3 table, one row per product. */
const EDITION_RULES: Record<Product, EditionRules> = {
  // | corporate | unrestricted | unrestricted | allowed | entitlement |
  corporate: {
    singleInstallation: false,
    maxRecordingServers: null,
    failoverRecordingServers: true,
    maxActivatedDevices: null,
    maxDeviceLicensesEntitlement: null,
  },
  // | expert | unrestricted | unrestricted | allowed | entitlement |
  expert: {
    singleInstallation: false,
    maxRecordingServers: null,
    failoverRecordingServers: true,
    maxActivatedDevices: null,
    maxDeviceLicensesEntitlement: null,
  },
  // | professional-plus | unrestricted | unrestricted | `failover_not_licensed` | entitlement |
  'professional-plus': {
    singleInstallation: false,
    maxRecordingServers: null,
    failoverRecordingServers: false,
    maxActivatedDevices: null,
    maxDeviceLicensesEntitlement: null,
  },
  // | express-plus | one installation | one (`recording_server_limit`) | `failover_not_licensed` | entitlement |
  'express-plus': {
    singleInstallation: true,
    maxRecordingServers: 1,
    failoverRecordingServers: false,
    maxActivatedDevices: null,
    maxDeviceLicensesEntitlement: null,
  },
  // | essential-plus | one installation | one (`recording_server_limit`) | `failover_not_licensed` | 8 devices |
  // §4: "essential-plus with more than 8 device licenses 422 `edition_limit`".
  'essential-plus': {
    singleInstallation: true,
    maxRecordingServers: 1,
    failoverRecordingServers: false,
    maxActivatedDevices: 8,
    maxDeviceLicensesEntitlement: 8,
  },
};

export function editionRules(product: Product): EditionRules {
  return EDITION_RULES[product];
}

export interface EditionRefusal {
  status: 422;
  code: 'recording_server_limit' | 'failover_not_licensed';
  message: string;
}

/**
 * Whether the edition refuses the whole activation request (§5.3: "whole request refused with 422
 * and the code shown"). Checked in a fixed order:
 * 1. any failover recording server on an edition without failover → `failover_not_licensed`;
 * 2. more non-failover recording servers than the edition allows → `recording_server_limit`.
 * Failover recording servers do not count towards "one recording server": on editions with that
 * limit they are already refused by rule 1.
 */
export function editionRefusal(
  product: Product,
  request: { recordingServers: ReadonlyArray<{ failover: boolean }> },
): EditionRefusal | undefined {
  const rules = editionRules(product);
  const failover = request.recordingServers.filter((server) => server.failover).length;
  if (failover > 0 && !rules.failoverRecordingServers) {
    return {
      status: 422,
      code: 'failover_not_licensed',
      message: `The ${product} edition does not include failover recording servers.`,
    };
  }
  const regular = request.recordingServers.length - failover;
  if (rules.maxRecordingServers !== null && regular > rules.maxRecordingServers) {
    return {
      status: 422,
      code: 'recording_server_limit',
      message: `The ${product} edition allows at most ${rules.maxRecordingServers} recording server${rules.maxRecordingServers === 1 ? '' : 's'}; the request lists ${regular}.`,
    };
  }
  return undefined;
}
