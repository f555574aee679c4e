import { useEffect, useState } from 'react';

/** Hash routes, so that the static host needs no rewrites: `#/licenses`, `#/licenses/<slc>`, `#/customers`, `#/offline-activation`. */
export type Route = { page: 'licenses' } | { page: 'license'; slc: string } | { page: 'customers' } | { page: 'offline-activation' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const license = /^\/licenses\/([^/]+)$/.exec(path);
  if (license) return { page: 'license', slc: decodeURIComponent(license[1]!) };
  if (path === '/customers') return { page: 'customers' };
  if (path === '/offline-activation') return { page: 'offline-activation' };
  return { page: 'licenses' };
}

export const hrefOf = (route: Route): string =>
  route.page === 'license' ? `#/licenses/${encodeURIComponent(route.slc)}` : `#/${route.page}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
