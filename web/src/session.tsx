import { createContext, type ReactNode, useContext } from 'react';
import type { ApiClient } from './api/client';
import type { Scope, Session } from './api/types';

/** The token lives in session storage: gone when the tab closes, never in a URL or a cookie. */
const TOKEN_KEY = 'provisio.token';

export const storedToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const storeToken = (token: string) => sessionStorage.setItem(TOKEN_KEY, token);
export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

const RANK: Readonly<Record<Scope, number>> = { customer: 0, read: 1, operator: 2, admin: 3 };

export interface SignedIn {
  api: ApiClient;
  session: Session;
  /** The token's scope reaches `scope`: decides which buttons a page shows. */
  can(scope: Scope): boolean;
  signOut(): void;
}

const SessionContext = createContext<SignedIn | null>(null);

export function SessionProvider({ value, children }: { value: SignedIn; children: ReactNode }) {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function signedIn(api: ApiClient, session: Session, signOut: () => void): SignedIn {
  return { api, session, can: (scope) => RANK[session.scope] >= RANK[scope], signOut };
}

export function useSession(): SignedIn {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in page');
  return value;
}
