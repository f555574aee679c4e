import { describe, expect, it } from 'vitest';
import { deriveDeviceKey } from '../../shared/domain/device-key';

describe('deriveDeviceKey', () => {
  it('is stable for one SLC secret and MAC', () => {
    expect(deriveDeviceKey('secret-a', '00:11:22:33:44:55')).toBe(deriveDeviceKey('secret-a', '00:11:22:33:44:55'));
  });

  it('differs between MACs and between SLCs', () => {
    const key = deriveDeviceKey('secret-a', '00:11:22:33:44:55');
    expect(deriveDeviceKey('secret-a', '00:11:22:33:44:56')).not.toBe(key);
    expect(deriveDeviceKey('secret-b', '00:11:22:33:44:55')).not.toBe(key);
  });

  it('has a readable fixed format and no collisions across 10,000 devices', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const mac = `00:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      const key = deriveDeviceKey('secret', mac);
      expect(key).toMatch(/^DK-[0-9A-HJKMNP-TV-Z]{6}(-[0-9A-HJKMNP-TV-Z]{6}){3}$/);
      keys.add(key);
    }
    expect(keys.size).toBe(10_000);
  });
});
