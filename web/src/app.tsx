import { useEffect, useMemo, useState } from 'react';
import { ApiClient } from './api/client';
import type { Session } from './api/types';
import { Loading } from './components/error-notice';
import { Layout } from './components/layout';
import { ClientPage, ClientsPage } from './pages/clients';
import { CustomerServicePage, CustomerServicesPage } from './pages/customer';
import { DashboardPage } from './pages/dashboard';
import { OperationPage, OperationsPage } from './pages/operations';
import { ProductEditPage, ProductsPage } from './pages/products';
import { ServerEditPage, ServersPage } from './pages/servers';
import { NewServicePage, ServicePage, ServicesPage } from './pages/services';
import { SignInPage } from './pages/sign-in';
import { navigate, type Route, useRoute } from './router';
import { forgetToken, SessionProvider, signedIn, storedToken, storeToken } from './session';

export function App() {
  const [token, setToken] = useState<string | null>(storedToken);
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(!!storedToken());
  const route = useRoute();

  // A token kept from earlier in this tab: ask the engine again who it is (it may be revoked).
  useEffect(() => {
    if (!token || session) return;
    new ApiClient(token)
      .session()
      .then(setSession)
      .catch(() => {
        forgetToken();
        setToken(null);
      })
      .finally(() => setChecking(false));
  }, [token, session]);

  const value = useMemo(() => {
    if (!token || !session) return null;
    return signedIn(new ApiClient(token), session, () => {
      forgetToken();
      setToken(null);
      setSession(null);
      navigate('/');
    });
  }, [token, session]);

  if (checking && !value) return <Loading what="your session" />;
  if (!value)
    return (
      <SignInPage
        onSignedIn={(newToken, newSession) => {
          storeToken(newToken);
          setToken(newToken);
          setSession(newSession);
          if (newSession.scope === 'customer' && route.segments[0] !== 'my') navigate('/my');
        }}
      />
    );
  return (
    <SessionProvider value={value}>
      <Layout>
        <Page route={route} customer={session?.scope === 'customer'} />
      </Layout>
    </SessionProvider>
  );
}

/** Route → page. A customer token reaches only its own area. */
function Page({ route, customer }: { route: Route; customer: boolean }) {
  const [first, second] = route.segments;
  const id = second && /^\d+$/.test(second) ? Number(second) : null;
  if (first === 'my')
    return route.segments[2] ? (
      <CustomerServicePage id={Number(route.segments[2])} />
    ) : (
      <CustomerServicesPage />
    );
  if (customer) return <CustomerServicesPage />;
  switch (first) {
    case undefined:
      return <DashboardPage />;
    case 'servers':
      if (second === 'new') return <ServerEditPage id={null} />;
      return id ? <ServerEditPage id={id} /> : <ServersPage />;
    case 'products':
      if (second === 'new') return <ProductEditPage id={null} />;
      return id ? <ProductEditPage id={id} /> : <ProductsPage />;
    case 'clients':
      return id ? <ClientPage id={id} /> : <ClientsPage />;
    case 'services':
      if (second === 'new') return <NewServicePage clientId={Number(route.query.get('clientId')) || null} />;
      return id ? <ServicePage id={id} /> : <ServicesPage query={route.query} />;
    case 'operations':
      return id ? <OperationPage id={id} /> : <OperationsPage query={route.query} />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page <code>{route.path}</code>. <a href="#/">Back to the dashboard</a>.
          </p>
        </section>
      );
  }
}
