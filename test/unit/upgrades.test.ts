import { describe, expect, it } from 'vitest';
import type { Product } from '../../shared/domain/products';
import { editionChangeProblems, versionChangeRefusal, type LicenseUse } from '../../shared/domain/upgrades';

describe('versionChangeRefusal', () => {
  it.each([
    ['2025 R1', '2025 R2', true, undefined],
    ['2025 R1', '2026 R1', true, undefined],
    ['2025 R1', '2025 R1', true, undefined],
    ['2025 R2', '2025 R1', true, 'version_downgrade'],
    ['2025 R1', '2024 R3', true, 'version_downgrade'],
    ['2025 R1', '2026 R1', false, 'unknown_product_version'],
    ['2025 R1', '2024 R1', false, 'unknown_product_version'],
  ] as const)('%s → %s (in catalog: %s) is %s', (current, next, inCatalog, refusal) => {
    expect(versionChangeRefusal(current, next, inCatalog)).toBe(refusal);
  });
});

const server = (failover = false) => ({ failover });
const use = (overrides: Partial<LicenseUse> = {}): LicenseUse => ({
  activeInstallations: [{ installationId: 'i1', recordingServers: [server()] }],
  activatedDevices: 5,
  deviceLicenses: 8,
  addOns: {},
  ...overrides,
});

describe('editionChangeProblems: the current use must fit the new edition', () => {
  it.each([
    ['expert', use(), []],
    ['essential-plus', use(), []],
    ['professional-plus', use({ activeInstallations: [{ installationId: 'i1', recordingServers: [server(), server(), server()] }] }), []],
    ['express-plus', use({ activeInstallations: [{ installationId: 'i1', recordingServers: [server()] }, { installationId: 'i2', recordingServers: [] }] }), ['installations']],
    ['express-plus', use({ activeInstallations: [{ installationId: 'i1', recordingServers: [server(), server()] }] }), ['installations.i1.recordingServers']],
    ['professional-plus', use({ activeInstallations: [{ installationId: 'i1', recordingServers: [server(), server(true)] }] }), ['installations.i1.recordingServers']],
    ['corporate', use({ activeInstallations: [{ installationId: 'i1', recordingServers: [server(), server(true)] }] }), []],
    ['essential-plus', use({ activatedDevices: 9 }), ['devices']],
    ['essential-plus', use({ deviceLicenses: 9 }), ['deviceLicenses']],
    ['essential-plus', use({ addOns: { access: { doors: 2 } } }), ['addOns.access']],
    ['essential-plus', use({ addOns: { access: { doors: 0 } } }), []],
    ['professional-plus', use({ addOns: { smartWall: true, managementServerFailover: true, lpr: { cameras: 1 } } }), ['addOns.smartWall', 'addOns.managementServerFailover']],
    [
      'essential-plus',
      use({
        activeInstallations: [{ installationId: 'a', recordingServers: [server(true)] }, { installationId: 'b', recordingServers: [server(), server()] }],
        activatedDevices: 20,
        deviceLicenses: 40,
        addOns: { interconnect: { cameras: 1 } },
      }),
      ['installations', 'installations.a.recordingServers', 'installations.b.recordingServers', 'devices', 'deviceLicenses', 'addOns.interconnect'],
    ],
  ] as const)('to %s: %j → %j', (product, licenseUse, paths) => {
    expect(editionChangeProblems(product as Product, licenseUse).map((problem) => problem.path)).toEqual(paths);
  });

  it('names the edition refusal of an installation in its message', () => {
    const [problem] = editionChangeProblems('professional-plus', use({ activeInstallations: [{ installationId: 'i1', recordingServers: [server(true)] }] }));
    expect(problem!.message).toMatch(/^failover_not_licensed: /);
  });
});
