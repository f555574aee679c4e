import { describe, expect, it } from 'vitest';
import { editionRefusal, editionRules, type EditionRules } from '../../shared/domain/editions';
import { PRODUCTS, type Product } from '../../shared/domain/products';

describe('editionRules: the §5.3 table', () => {
  it.each<[Product, EditionRules]>([
    ['corporate', { singleInstallation: false, maxRecordingServers: null, failoverRecordingServers: true, maxActivatedDevices: null, maxDeviceLicensesEntitlement: null }],
    ['expert', { singleInstallation: false, maxRecordingServers: null, failoverRecordingServers: true, maxActivatedDevices: null, maxDeviceLicensesEntitlement: null }],
    ['professional-plus', { singleInstallation: false, maxRecordingServers: null, failoverRecordingServers: false, maxActivatedDevices: null, maxDeviceLicensesEntitlement: null }],
    ['express-plus', { singleInstallation: true, maxRecordingServers: 1, failoverRecordingServers: false, maxActivatedDevices: null, maxDeviceLicensesEntitlement: null }],
    ['essential-plus', { singleInstallation: true, maxRecordingServers: 1, failoverRecordingServers: false, maxActivatedDevices: 8, maxDeviceLicensesEntitlement: 8 }],
  ])('%s', (product, expected) => {
    expect(editionRules(product)).toEqual(expected);
  });

  it('covers every product', () => {
    for (const product of PRODUCTS) expect(editionRules(product)).toBeDefined();
  });
});

const servers = (regular: number, failover: number) => [
  ...Array.from({ length: regular }, () => ({ failover: false })),
  ...Array.from({ length: failover }, () => ({ failover: true })),
];

describe('editionRefusal: failover_not_licensed first, then recording_server_limit on non-failover servers', () => {
  it.each<[Product, number, number, string | undefined]>([
    // corporate and expert: unrestricted, failover allowed
    ['corporate', 0, 0, undefined],
    ['corporate', 50, 10, undefined],
    ['expert', 1, 0, undefined],
    ['expert', 12, 3, undefined],
    // professional-plus: unrestricted servers, no failover
    ['professional-plus', 40, 0, undefined],
    ['professional-plus', 2, 1, 'failover_not_licensed'],
    ['professional-plus', 0, 1, 'failover_not_licensed'],
    // express-plus: one recording server, no failover
    ['express-plus', 0, 0, undefined],
    ['express-plus', 1, 0, undefined],
    ['express-plus', 2, 0, 'recording_server_limit'],
    ['express-plus', 1, 1, 'failover_not_licensed'],
    ['express-plus', 3, 1, 'failover_not_licensed'], // both apply: failover wins
    // essential-plus: one recording server, no failover
    ['essential-plus', 1, 0, undefined],
    ['essential-plus', 2, 0, 'recording_server_limit'],
    ['essential-plus', 0, 1, 'failover_not_licensed'],
    ['essential-plus', 2, 2, 'failover_not_licensed'],
  ])('%s with %i recording + %i failover servers → %s', (product, regular, failover, code) => {
    const refusal = editionRefusal(product, { recordingServers: servers(regular, failover) });
    if (code === undefined) {
      expect(refusal).toBeUndefined();
    } else {
      expect(refusal).toMatchObject({ status: 422, code });
      expect(refusal!.message.length).toBeGreaterThan(0);
    }
  });

  it('the failover servers listed in any position are found', () => {
    const recordingServers = [{ failover: false }, { failover: true }, { failover: false }];
    expect(editionRefusal('professional-plus', { recordingServers })?.code).toBe('failover_not_licensed');
  });

  it('names the limit and the count in the message', () => {
    expect(editionRefusal('essential-plus', { recordingServers: servers(3, 0) })?.message).toMatch(/at most 1 recording server;.*3/);
  });
});
