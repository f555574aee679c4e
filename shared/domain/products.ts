export const PRODUCTS = ['corporate', 'expert', 'professional-plus', 'express-plus', 'essential-plus'] as const;
export type Product = (typeof PRODUCTS)[number];

/** SKU part of an SLC (`M01-<SKU>-<YYR>-<RANDOM>`). */
export const PRODUCT_SKU: Record<Product, string> = {
  corporate: 'XPCO',
  expert: 'XPET',
  'professional-plus': 'XPPP',
  'express-plus': 'XPEP',
  'essential-plus': 'XPES',
};

export type Channel = 'byol' | 'ami-included';
export type RevocationReason = 'export_control' | 'human_rights' | 'eula_breach' | 'other';
