import type { ReactNode } from 'react';
import { useRoute } from '../router';
import { useSession } from '../session';

const ADMIN_PAGES: { path: string; label: string }[] = [
  { path: '/', label: 'Dashboard' },
  { path: '/services', label: 'Services' },
  { path: '/operations', label: 'Operations' },
  { path: '/clients', label: 'Clients' },
  { path: '/products', label: 'Products' },
  { path: '/servers', label: 'Servers' },
];

/** Header with the navigation, who is signed in, and the page. A skip link leads past the menu. */
export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const route = useRoute();
  const pages = session.scope === 'customer' ? [{ path: '/my', label: 'My services' }] : ADMIN_PAGES;
  const here = `/${route.segments[0] ?? ''}`;
  return (
    <>
      <button type="button" className="skip-link" onClick={focusMain}>
        Skip to content
      </button>
      <header className="top">
        <span className="brand">provisio</span>
        <nav aria-label="Main">
          <ul>
            {pages.map((page) => (
              <li key={page.path}>
                <a href={`#${page.path}`} aria-current={here === page.path ? 'page' : undefined}>
                  {page.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who">
          {session.name} <span className="badge badge-info">{session.scope}</span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function focusMain() {
  document.getElementById('main')?.focus();
}
