import { type AnchorHTMLAttributes, useEffect, useState } from 'react';

/**
 * Hash routes (`#/services/12`): the engine serves one file at `/`, and `/v1`, `/docs` and the
 * app's paths can never collide. A route is a path and its query, e.g. `#/services?status=active`.
 */
export interface Route {
  path: string;
  segments: string[];
  query: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = window.location.hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = hash.split('?');
  return { path, segments: path.split('/').filter(Boolean), query: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function href(path: string, query: Record<string, string | number | undefined | null> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export function navigate(path: string, query?: Record<string, string | number | undefined | null>) {
  window.location.hash = href(path, query);
}

export function Link({
  to,
  query,
  ...rest
}: {
  to: string;
  query?: Record<string, string | number | undefined>;
} & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return <a href={href(to, query)} {...rest} />;
}
