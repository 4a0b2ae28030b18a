/**
 * Value types shared by every layer: what a setting holds, how a server is reached, an engine
 * event, a module-log row. They live here, at the bottom, so the store, the transports and the
 * module contract can all speak of them without importing each other.
 */

/** A stored setting value (module settings of products and servers). */
export type SettingValue = string | number | boolean;

export interface TlsPolicy {
  /** Verify the certificate chain and host name (default true). */
  verify: boolean;
  /** Accept exactly this certificate: SHA-256 fingerprint, hex with or without colons. */
  fingerprint?: string;
}

export interface ServerConnection {
  id: number;
  name: string;
  module: string;
  hostname: string;
  ip: string | null;
  /** Host to connect to: hostname, or the IP when no hostname is set. */
  host: string;
  port: number;
  secure: boolean;
  username: string;
  /** Decrypted password or API key. Registered with the redactor before the module sees it. */
  secret: string;
  tls: TlsPolicy;
  maxAccounts: number | null;
  settings: Readonly<Record<string, SettingValue>>;
}

/** An engine event, as the outbox stores it and hooks receive it. */
export interface EngineEvent {
  id: number;
  type: string;
  payload: Readonly<Record<string, unknown>>;
  createdAt: number;
}

/**
 * One remote call as the module log keeps it. Transports fill it; the sink adds who and where
 * (operation, server, module, action) and redacts before anything is stored.
 */
export interface RemoteCallRecord {
  /** What was sent: `POST /api/admin/servers {...}` or an Axigen command line. */
  request: string;
  /** What came back (truncated), or '' when nothing did. */
  response: string;
  durationMs: number;
  outcome: 'ok' | 'error';
  /** Error message when the call failed at the transport or was refused. */
  error?: string;
}

export interface ModuleLogRow extends RemoteCallRecord {
  operationId: number | null;
  serverId: number | null;
  module: string;
  action: string;
  createdAt: number;
}
