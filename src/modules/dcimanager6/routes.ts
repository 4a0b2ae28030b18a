/**
 * Every DCImanager 6 route this module calls and every body it sends (docs/specs/dcimanager6.md).
 * The module's own table: the emulator keeps its own (`src/emulators/dcimanager6/routes.ts` and
 * `guesses.ts`), so a wrong guess here fails the golden wire tests instead of being mirrored. The
 * state-changing DCI routes are unverified (spec §11, §12): correct them here from a capture of a
 * real DCImanager 6 or its Swagger definitions.
 *
 * Tags as in the spec: V verified, S-lib ISPsystem's shared WHMCS library, I inferred, ? guess.
 */
export type RouteTag = 'V' | 'S-lib' | 'I' | '?';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path without a leading slash; `{name}` marks a parameter. Served at `/X` and `/api/X`. */
  path: string;
  tag: RouteTag;
}

export const DCI_ROUTES = {
  login: { method: 'POST', path: 'auth/v4/public/token', tag: 'V' },
  logout: { method: 'DELETE', path: 'auth/v4/token/{token}', tag: 'V' },
  userKey: { method: 'POST', path: 'auth/v4/user/{email}/key', tag: 'V' },
  exchangeKey: { method: 'POST', path: 'auth/v4/public/key', tag: 'V' },
  userPassword: { method: 'POST', path: 'auth/v4/user/{email}/password', tag: 'V' },

  serverList: { method: 'GET', path: 'dci/v3/server', tag: 'V' },
  configurationList: { method: 'GET', path: 'dci/v3/server/configuration', tag: 'V' },
  serverGet: { method: 'GET', path: 'dci/v3/server/{id}', tag: 'V' },
  userList: { method: 'GET', path: 'dci/v3/user', tag: 'I' },
  userCreate: { method: 'POST', path: 'dci/v3/user', tag: 'V' },
  locationList: { method: 'GET', path: 'dci/v3/location', tag: 'I' },
  osTemplateList: { method: 'GET', path: 'dci/v3/os_template', tag: '?' },
  ipPoolList: { method: 'GET', path: 'ip/v3/ippool', tag: 'I' },

  serverEdit: { method: 'POST', path: 'dci/v3/server/{id}', tag: '?' },
  setOwner: { method: 'POST', path: 'dci/v3/server/{id}/owner', tag: '?' },
  setPort: { method: 'POST', path: 'dci/v3/switch/port/{portId}', tag: '?' },
  powerOn: { method: 'POST', path: 'dci/v3/server/{id}/power_on', tag: 'I' },
  powerOff: { method: 'POST', path: 'dci/v3/server/{id}/power_off', tag: 'I' },
  powerReset: { method: 'POST', path: 'dci/v3/server/{id}/power_reset', tag: 'V' },
  abortOperation: { method: 'POST', path: 'dci/v3/server/{id}/operation/abort', tag: '?' },
  addIp: { method: 'POST', path: 'dci/v3/server/{id}/ip', tag: '?' },
  deleteIp: { method: 'DELETE', path: 'dci/v3/ip/{ipId}', tag: '?' },
  osInstall: { method: 'POST', path: 'dci/v3/server/{id}/os_install', tag: '?' },
  diagnostics: { method: 'POST', path: 'dci/v3/server/{id}/diag', tag: '?' },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof DCI_ROUTES;

/** Fills `{name}` parameters (URL-encoded) into a route's path. */
export function routePath(name: RouteName, params: Readonly<Record<string, string | number>> = {}): string {
  return DCI_ROUTES[name].path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`route ${name}: missing parameter ${key}`);
    return encodeURIComponent(String(value));
  });
}

// ---------------------------------------------------------------------------------------------
// Request bodies

export interface LoginBody {
  email: string;
  password: string;
}

export interface UserCreateBody {
  email: string;
  password: string;
  role: '@user';
  full_name?: string;
}

/** The server's comment, which carries the service's mark (spec §13). [?] */
export interface ServerEditBody {
  comment: string;
}

/** auth v4 `ChangePassword`: at least 8 characters (spec §3). [V] */
export interface UserPasswordBody {
  password: string;
}

/** `owner: null` clears the owner. [?] */
export interface SetOwnerBody {
  owner: number | null;
}

/** One switch connection's administrative state. [?] */
export interface SetPortBody {
  admin_status: 'up' | 'down';
}

/** Address allocation from pools (the VM6 `host/<id>/ip` shape). [?] */
export interface AddIpBody {
  ipv4_pool?: number[];
  ipv4_number?: number;
  ipv6_pool?: number[];
  ipv6_number?: number;
  /** Absent: single IPv6 addresses; present: subnets of this prefix length. */
  ipv6_prefix?: number;
  /** A temporary IPv4 used during the OS install. */
  temporary?: boolean;
}

/** [?] field names from the DCI5 install form and the product documentation. */
export interface OsInstallBody {
  template: number;
  password?: string;
  ssh_keys?: string[];
  recipe?: string;
  domain?: string;
}

/** [?] diagnostics with disk clearing and an IP from the diagnostic pool. */
export interface DiagnosticsBody {
  template: number;
  clean_disks: boolean;
  ip_pool?: number[];
}

// ---------------------------------------------------------------------------------------------
// Response shapes the module relies on (spec §5)

export interface DciOperation {
  id: number;
  status: string;
  status_info?: { msg?: string } & Record<string, unknown>;
  progress_info?: readonly Record<string, unknown>[];
}

export interface DciIp {
  id: number;
  name: string;
  family: 'ipv4' | 'ipv6';
  gateway?: string;
  network?: string;
  status?: string;
  /** [?] marks a temporary IPv4 (product setting "Use temporary IPv4"). */
  is_temporary?: boolean;
}

export interface DciSwitchConnection {
  id: number;
  switch: number;
  description?: string;
  admin_status: string;
  oper_status?: string;
  is_ipmi_connection: boolean;
}

export interface DciServer {
  id: number;
  domain?: string;
  configuration: string;
  location_id: number | null;
  owner_email: string | null;
  /** [?] free text; the service's mark is one line of it (spec §13). */
  comment?: string | null;
  /** [?] the owner's user id. */
  owner?: number | null;
  is_new: boolean;
  power_status: string;
  maintenance_mode?: boolean;
  operation: DciOperation | null;
  os_template?: { id: number; name: string } | null;
  ip: DciIp[];
  switch_connection: DciSwitchConnection[];
}

export interface DciUser {
  id: number;
  email: string;
  roles: string[] | string;
  server_count?: number;
}

export interface DciTemplate {
  id: number;
  name: string;
  /** [?] `os`, `diag` or `recovery`. */
  type?: string;
}

export interface DciPool {
  id: number;
  name: string;
}

export interface DciLocation {
  id: number;
  name: string;
}

export interface DciList<T> {
  list: T[];
  size: number;
}
