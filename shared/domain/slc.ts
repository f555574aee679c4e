import { randomBase32 } from '../crypto';
import { PRODUCT_SKU, type Product } from './products';

/** Random part of an SLC: 16 Crockford base32 characters, 5 bits each = 80 bits from the crypto RNG. */
export const SLC_RANDOM_LENGTH = 16;

/** `M01-<SKU>-<YYR>-<RANDOM>`, e.g. `M01-XPCO-251-7KQ2M4T9XW3PZA8D`. */
export const SLC_PATTERN = /^M01-(XPCO|XPET|XPPP|XPEP|XPES)-(\d{2}[123])-([0-9A-HJKMNP-TV-Z]{16})$/;

/**
 * The `YYR` part of an SLC: the two-digit year and the release digit of a product version
 * ("2025 R1" → "251").
 */
export function versionCode(version: string): string {
  const match = /^\d{2}(\d{2}) R([123])$/.exec(version);
  if (!match) throw new Error(`not a product version: ${version}`);
  return `${match[1]}${match[2]}`;
}

/**
 * A new Software License Code. The random part carries all of the code's secrecy: SKU and version
 * code are public facts, and no SLC can be derived from another.
 */
export function generateSlc(product: Product, version: string): string {
  return `M01-${PRODUCT_SKU[product]}-${versionCode(version)}-${randomBase32(SLC_RANDOM_LENGTH)}`;
}

/** Whether a string has the form of an SLC (says nothing about whether it was issued). */
export const isSlc = (value: string): boolean => SLC_PATTERN.test(value);
