import { describe, expect, it } from 'vitest';
import { generateSlc, isSlc, SLC_PATTERN, versionCode } from '../../shared/domain/slc';
import { PRODUCTS, PRODUCT_SKU } from '../../shared/domain/products';

describe('SLC format (API.md §4)', () => {
  it.each([
    ['2025 R1', '251'],
    ['2025 R3', '253'],
    ['2022 R2', '222'],
    ['2100 R1', '001'],
    ['2009 R2', '092'],
  ])('encodes %s as %s', (version, code) => {
    expect(versionCode(version)).toBe(code);
  });

  it.each(['2025', '2025 R4', '25 R1', '2025 r1', ' 2025 R1'])('refuses the version %j', (version) => {
    expect(() => versionCode(version)).toThrow();
  });

  it.each(PRODUCTS.map((product) => [product, PRODUCT_SKU[product]]))('builds M01-<SKU>-<YYR>-<RANDOM> for %s', (product, sku) => {
    const slc = generateSlc(product, '2025 R1');
    expect(slc).toMatch(new RegExp(`^M01-${sku}-251-[0-9A-HJKMNP-TV-Z]{16}$`));
    expect(isSlc(slc)).toBe(true);
  });

  it('never repeats over many draws and uses the whole Crockford alphabet in every position', () => {
    const draws = Array.from({ length: 20_000 }, () => generateSlc('corporate', '2025 R1'));
    expect(new Set(draws).size).toBe(draws.length);
    const randomParts = draws.map((slc) => SLC_PATTERN.exec(slc)![3]!);
    for (let position = 0; position < 16; position++) {
      const seen = new Set(randomParts.map((part) => part[position]));
      expect(seen.size, `position ${position}`).toBe(32);
    }
  });

  it('spreads characters evenly (no bias from the byte-to-symbol mapping)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4_000; i++) {
      for (const char of SLC_PATTERN.exec(generateSlc('expert', '2024 R2'))![3]!) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    const expected = (4_000 * 16) / 32;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.15);
  });

  it.each(['M01-XPCO-251-7KQ2M4T9XW3PZA8', 'M01-XXXX-251-7KQ2M4T9XW3PZA8D', 'M01-XPCO-254-7KQ2M4T9XW3PZA8D', 'M01-XPCO-251-7KQ2M4T9XW3PZA8U', 'm01-XPCO-251-7KQ2M4T9XW3PZA8D'])(
    'does not take %s for an SLC',
    (value) => {
      expect(isSlc(value)).toBe(false);
    },
  );
});
