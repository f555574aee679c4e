import { useCallback, useEffect, useMemo, useState } from 'react';
import { apiClient, type Me } from './api';
import { storeToken, storedToken } from './auth';
import { ErrorAlert, Loading } from './components';
import { hrefOf, useRoute, type Route } from './route';
import { SignIn } from './pages/SignIn';
import { Licenses } from './pages/Licenses';
import { LicensePage } from './pages/LicensePage';
import { Customers } from './pages/Customers';
import { OfflineActivation } from './pages/OfflineActivation';

const mayManageCustomers = (me: Me) => me.role === 'ops' || me.role === 'partner';
const mayUpload = (me: Me) => me.role !== 'customer-user';

/** Nothing but the sign-in page is rendered until the API has confirmed who the token belongs to. */
export function App() {
  const [token, setToken] = useState<string | null>(storedToken);
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<unknown>(null);
  const route = useRoute();

  const signOut = useCallback(() => {
    storeToken(null);
    setToken(null);
    setMe(null);
  }, []);
  const api = useMemo(() => (token ? apiClient(token, signOut) : null), [token, signOut]);

  useEffect(() => {
    if (!api) return;
    let current = true;
    setError(null);
    api<Me>('GET', '/v1/me').then(
      (who) => current && setMe(who),
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [api]);

  if (!token || !api) {
    return (
      <SignIn
        onSignedIn={(idToken) => {
          storeToken(idToken);
          setToken(idToken);
        }}
      />
    );
  }
  if (!me) {
    return (
      <main className="centered">
        {error ? <ErrorAlert error={error} /> : <Loading what="your account" />}
        {error ? (
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        ) : null}
      </main>
    );
  }

  const links: Array<{ route: Route; label: string; show: boolean }> = [
    { route: { page: 'licenses' }, label: 'Licenses', show: true },
    { route: { page: 'customers' }, label: 'Customers', show: mayManageCustomers(me) },
    { route: { page: 'offline-activation' }, label: 'Offline activation', show: mayUpload(me) },
  ];
  const current = route.page === 'license' ? 'licenses' : route.page;

  return (
    <>
      <header className="top">
        <span className="brand">Cloud Licensing</span>
        <nav aria-label="Main">
          <ul>
            {links
              .filter((link) => link.show)
              .map((link) => (
                <li key={link.label}>
                  <a href={hrefOf(link.route)} aria-current={current === link.route.page ? 'page' : undefined}>
                    {link.label}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <span className="who">
          {me.email ?? me.role} ({me.role})
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {route.page === 'licenses' && <Licenses api={api} me={me} />}
        {route.page === 'license' && <LicensePage api={api} slc={route.slc} />}
        {route.page === 'customers' && (mayManageCustomers(me) ? <Customers api={api} me={me} /> : <ErrorAlert error="This page is for ops and partners." />)}
        {route.page === 'offline-activation' && (mayUpload(me) ? <OfflineActivation api={api} /> : <ErrorAlert error="Your role cannot upload offline activations." />)}
      </main>
    </>
  );
}
