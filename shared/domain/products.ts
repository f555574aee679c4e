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

/** License `addOns` entitlements (API.md §5.4); every part optional, quantities default 0. */
export interface AddOnEntitlements {
  access?: { doors?: number };
  lpr?: { cameras?: number; plateLibraries?: number };
  transact?: { connections?: number };
  hospitalAssist?: { channels?: number };
  interconnect?: { cameras?: number };
  smartWall?: boolean;
  incidentManager?: boolean;
  managementServerFailover?: boolean;
}

export type Channel = 'byol' | 'ami-included';
export type RevocationReason = 'export_control' | 'human_rights' | 'eula_breach' | 'other';
