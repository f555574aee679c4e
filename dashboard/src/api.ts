/** The Cloud Licensing API, same origin, with the ID token as bearer on every request. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Me {
  role: 'ops' | 'partner' | 'customer-admin' | 'customer-user';
  userId: string | null;
  name: string | null;
  email: string | null;
  partnerId: string | null;
  customerId: string | null;
}

export interface License {
  slc: string;
  customerId: string;
  product: string;
  version: string;
  status: 'active' | 'revoked';
  entitlements: { deviceLicenses: number };
  carePlus: { validUntil: string | null; active: boolean };
  usage: { deviceLicenses: number; devices: number; installations: number };
}

export interface Customer {
  customerId: string;
  name: string;
  country: string;
  partnerId: string | null;
  verification: string;
}

export interface Installation {
  installationId: string;
  status: string;
  deployment: string | { type: string };
  managementServer: { hostname: string } | null;
  devices: { activated: number; disabled: number };
  lastActivation: { at: string; sourceIp: string } | null;
  lastSeenAt: string | null;
}

export interface Device {
  mac: string;
  status: string;
  licenses: number;
  registrations: number;
  deletions: number;
  installationId: string | null;
  lastChangedAt: string;
}

export interface AuditEvent {
  eventId: string;
  at: string;
  type: string;
  actor: string;
  sourceIp: string | null;
}

export type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

export function apiClient(token: string, onUnauthorized: () => void): Api {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      if (response.status === 401) onUnauthorized();
      throw new ApiError(response.status, error?.code ?? 'error', error?.message ?? `The request failed (${response.status}).`);
    }
    return parsed as T;
  };
}

/** Every page of a list, 100 at a time; `onPage` sees the items so far, so the first rows render early. */
export async function listAll<T>(api: Api, path: string, onPage?: (items: T[]) => void): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page: Page<T> = await api<Page<T>>('GET', `${path}${separator}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    onPage?.([...items]);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
