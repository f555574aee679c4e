import { describe, expect, it } from 'vitest';
import {
  deviceInputProblem,
  deviceLicensesNeeded,
  normalizeMac,
  videoPushLicensesNeeded,
  type DeviceInput,
} from '../../shared/domain/device-licenses';

function device(overrides: Partial<DeviceInput>): DeviceInput {
  return {
    mac: '00:11:22:33:44:55',
    kind: 'camera',
    ipAddresses: ['10.0.0.5'],
    videoChannels: 1,
    connection: 'direct',
    supportedDeviceList: { listed: true },
    ...overrides,
  };
}

const listed = { listed: true };
const unlisted = { listed: false };
const twoIps = ['10.0.0.5', '10.0.0.6'];
const threeIps = ['10.0.0.5', '10.0.0.6', 'fe80::1'];

describe('deviceLicensesNeeded (§5.2), rules in order', () => {
  it.each<[string, Partial<DeviceInput>, number]>([
    // 1. vps-driver: one per enabled video channel, before anything else
    ['vps-driver, 4 channels', { connection: 'vps-driver', videoChannels: 4 }, 4],
    ['vps-driver, listed with a figure: the channels win', { connection: 'vps-driver', videoChannels: 3, supportedDeviceList: { listed: true, licenses: 9 } }, 3],
    ['vps-driver, unlisted, 2 channels, 3 IPs', { connection: 'vps-driver', videoChannels: 2, ipAddresses: threeIps, supportedDeviceList: unlisted }, 2],
    ['vps-driver, 0 channels → at least one', { connection: 'vps-driver', videoChannels: 0 }, 1],
    // 2. listed with the list's own figure
    ['listed, figure 2', { supportedDeviceList: { listed: true, licenses: 2 } }, 2],
    ['listed, figure 3, several IPs', { ipAddresses: threeIps, supportedDeviceList: { listed: true, licenses: 3 } }, 3],
    ['listed, figure 1 beats intermediate channels', { connection: 'intermediate', videoChannels: 8, supportedDeviceList: { listed: true, licenses: 1 } }, 1],
    ['listed, figure 5 beats encoder channels', { kind: 'encoder', videoChannels: 32, supportedDeviceList: { listed: true, licenses: 5 } }, 5],
    // 2. listed intermediate: per channel
    ['listed, intermediate, 6 channels', { connection: 'intermediate', videoChannels: 6 }, 6],
    ['listed, intermediate, 0 channels → at least one', { connection: 'intermediate', videoChannels: 0 }, 1],
    // 2. listed encoder above 16 channels: per channel
    ['listed encoder, 17 channels', { kind: 'encoder', videoChannels: 17 }, 17],
    ['listed encoder, 64 channels', { kind: 'encoder', videoChannels: 64 }, 64],
    // 2. otherwise one
    ['listed encoder, 16 channels → one', { kind: 'encoder', videoChannels: 16 }, 1],
    ['listed encoder, 4 channels → one', { kind: 'encoder', videoChannels: 4 }, 1],
    ['listed multi-sensor, 4 channels → one', { kind: 'multi-sensor', videoChannels: 4 }, 1],
    ['listed camera (multi-lens), 3 channels → one', { kind: 'camera', videoChannels: 3 }, 1],
    ['listed camera, 1 channel', { kind: 'camera', videoChannels: 1 }, 1],
    ['listed io, no video', { kind: 'io', videoChannels: 0 }, 1],
    ['listed other, 20 channels (not an encoder) → one', { kind: 'other', videoChannels: 20 }, 1],
    // 3. not listed
    ['unlisted camera, 4 channels', { videoChannels: 4, supportedDeviceList: unlisted }, 4],
    ['unlisted multi-sensor, 3 channels, 2 IPs: channels', { kind: 'multi-sensor', videoChannels: 3, ipAddresses: twoIps, supportedDeviceList: unlisted }, 3],
    ['unlisted encoder, 8 channels', { kind: 'encoder', videoChannels: 8, supportedDeviceList: unlisted }, 8],
    ['unlisted, 1 channel, 3 IPs: channels', { videoChannels: 1, ipAddresses: threeIps, supportedDeviceList: unlisted }, 1],
    ['unlisted io, no video, 1 IP', { kind: 'io', videoChannels: 0, supportedDeviceList: unlisted }, 1],
    ['unlisted io, no video, 3 IPs', { kind: 'io', videoChannels: 0, ipAddresses: threeIps, supportedDeviceList: unlisted }, 3],
    ['unlisted, no video, a repeated IP counts once', { kind: 'io', videoChannels: 0, ipAddresses: ['10.0.0.5', '10.0.0.5', '10.0.0.6'], supportedDeviceList: unlisted }, 2],
    ['unlisted, no video, IPv6 written in two cases counts once', { kind: 'other', videoChannels: 0, ipAddresses: ['FE80::1', 'fe80::1'], supportedDeviceList: unlisted }, 1],
    ['unlisted intermediate, 2 channels', { connection: 'intermediate', videoChannels: 2, supportedDeviceList: unlisted }, 2],
    ['unlisted with a figure: the figure belongs to the list, channels count', { videoChannels: 2, supportedDeviceList: { listed: false, licenses: 7 } }, 2],
  ])('%s → %i', (_label, overrides, expected) => {
    expect(deviceLicensesNeeded(device(overrides))).toBe(expected);
  });
});

describe('deviceInputProblem (§5.2: listed, more than one IP address and no figure)', () => {
  it.each<[string, Partial<DeviceInput>, boolean]>([
    ['listed, 2 IPs, no figure', { ipAddresses: twoIps }, true],
    ['listed intermediate, 2 IPs, no figure', { connection: 'intermediate', videoChannels: 4, ipAddresses: twoIps }, true],
    ['listed encoder, 3 IPs, no figure', { kind: 'encoder', videoChannels: 32, ipAddresses: threeIps }, true],
    ['listed, 2 IPs, with figure', { ipAddresses: twoIps, supportedDeviceList: { listed: true, licenses: 2 } }, false],
    ['vps-driver listed, 2 IPs, no figure', { connection: 'vps-driver', videoChannels: 2, ipAddresses: twoIps }, false],
    ['unlisted, 3 IPs', { ipAddresses: threeIps, supportedDeviceList: unlisted }, false],
    ['listed, 1 IP', { supportedDeviceList: listed }, false],
    ['listed, the same IP twice', { ipAddresses: ['10.0.0.5', '10.0.0.5'] }, false],
  ])('%s → invalid: %s', (_label, overrides, invalid) => {
    const problem = deviceInputProblem(device(overrides));
    if (invalid) expect(problem).toMatch(/more than one IP address/);
    else expect(problem).toBeUndefined();
  });
});

describe('videoPushLicensesNeeded: one camera license per named user', () => {
  it.each([
    [0, 0],
    [1, 1],
    [25, 25],
  ])('%i users → %i licenses', (users, licenses) => {
    expect(videoPushLicensesNeeded(users)).toBe(licenses);
  });

  it.each([-1, 1.5, Number.NaN])('refuses %d', (users) => {
    expect(() => videoPushLicensesNeeded(users)).toThrow(RangeError);
  });
});

describe('normalizeMac: six hex pairs separated by ":" or "-", any case → lowercase with ":"', () => {
  it.each([
    ['00:11:22:33:44:55', '00:11:22:33:44:55'],
    ['AA:BB:CC:DD:EE:FF', 'aa:bb:cc:dd:ee:ff'],
    ['aA-bB-cC-0d-1E-f2', 'aa:bb:cc:0d:1e:f2'],
    ['00-11-22-33-44-55', '00:11:22:33:44:55'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeMac(input)).toBe(expected);
  });

  it.each([
    '00:11:22:33:44', // five pairs
    '00:11:22:33:44:55:66', // seven pairs
    '00:11-22:33:44:55', // mixed separators
    '001122334455', // no separators
    '0011.2233.4455', // dotted
    '00:11:22:33:44:5g', // not hex
    '0:11:22:33:44:55', // one digit
    '00:11:22:33:44:555',
    ' 00:11:22:33:44:55',
    '00:11:22:33:44:55\n',
    '00 11 22 33 44 55',
    '',
  ])('rejects %j', (input) => {
    expect(normalizeMac(input)).toBeUndefined();
  });
});
