import type { Generated } from 'kysely';

/**
 * Table shapes as Kysely sees them. Portable choices, so one set of queries runs on SQLite and
 * PostgreSQL:
 * - timestamps are integer milliseconds since the epoch (bigint on PostgreSQL, parsed to number);
 * - booleans are integers 0/1;
 * - structured values are JSON text;
 * - secrets are sealed by core/secret-box.ts before they reach a row (`*_sealed` columns).
 */
export interface ClientsTable {
  id: Generated<number>;
  external_id: string | null;
  email: string;
  first_name: string;
  last_name: string;
  company: string;
  email_verified: number;
  custom_fields: string;
  created_at: number;
  updated_at: number;
}

export interface ServersTable {
  id: Generated<number>;
  /** Billing's id of the server (WHMCS `whmcs-<serverid>`), unique where set. */
  external_id: Generated<string | null>;
  name: string;
  module: string;
  hostname: string;
  ip: string | null;
  port: number;
  secure: number;
  username: string;
  secret_sealed: string | null;
  max_accounts: number | null;
  max_concurrency: number;
  enabled: number;
  tls_verify: number;
  tls_fingerprint: string | null;
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface ServerGroupsTable {
  id: Generated<number>;
  name: string;
  fill_type: string;
  /** Round-robin: id of the server chosen last. */
  last_server_id: number | null;
  created_at: number;
}

export interface ServerGroupMembersTable {
  group_id: number;
  server_id: number;
  priority: number;
}

export interface ProductsTable {
  id: Generated<number>;
  /** Billing's id of the product (WHMCS `whmcs-<pid>`), unique where set. */
  external_id: Generated<string | null>;
  name: string;
  module: string;
  product_type: string | null;
  server_group_id: number | null;
  /** Non-secret settings as JSON; secret fields live sealed in `secret_settings_sealed`. */
  settings: string;
  secret_settings_sealed: string | null;
  config_options: string;
  welcome_template: string | null;
  created_at: number;
  updated_at: number;
}

export interface ServicesTable {
  id: Generated<number>;
  /** Billing's id of the service (WHMCS `whmcs-<serviceid>`), unique where set. */
  external_id: Generated<string | null>;
  client_id: number;
  product_id: number;
  server_id: number | null;
  status: string;
  domain: string | null;
  username: string | null;
  password_sealed: string | null;
  config_options: string;
  custom_fields: string;
  remote_ids: string;
  dedicated_ip: string | null;
  assigned_ips: string;
  usage: string;
  usage_updated_at: number | null;
  suspend_reason: string | null;
  created_at: number;
  updated_at: number;
  /** When an operator was shown the current password (once per password). */
  password_revealed_at: Generated<number | null>;
}

export interface OperationsTable {
  id: Generated<number>;
  service_id: number;
  server_id: number | null;
  module: string;
  action: string;
  /** JSON; secret arguments (a new password) sealed inside `args_sealed`. */
  args: string;
  args_sealed: string | null;
  status: string;
  /** Status the row had when last claimed: `running` means a crashed worker's lease was taken over. */
  claimed_from: string | null;
  attempts: number;
  max_attempts: number;
  run_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  idempotency_key: string | null;
  request_hash: string | null;
  /** JSON: { steps: {name: {result, attempt, at}}, waits: {name: {startedAt}}, lookupFirst } */
  journal: string;
  progress_message: string | null;
  progress_fraction: number | null;
  error_kind: string | null;
  error_code: string | null;
  error_message: string | null;
  resolved_at: number | null;
  resolution: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** JSON array of { at, message }: what the module warned about. */
  warnings: Generated<string>;
}

export interface ModuleLogTable {
  id: Generated<number>;
  operation_id: number | null;
  server_id: number | null;
  module: string;
  action: string;
  request: string;
  response: string;
  duration_ms: number;
  outcome: string;
  error: string | null;
  created_at: number;
}

export interface EventsTable {
  id: Generated<number>;
  type: string;
  payload: string;
  created_at: number;
}

export interface EventDeliveriesTable {
  event_id: number;
  subscriber: string;
  delivered_at: number;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  /** Short, non-secret prefix shown in listings to tell tokens apart. */
  token_prefix: string;
  scope: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** Scope `customer`: the client whose services the token may see. */
  client_id: Generated<number | null>;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  /** Token name, `local` for the CLI on the database, or `engine`. */
  actor: string;
  token_id: number | null;
  /** `POST /v1/servers`, `service.login_link`, `service.adopt`, … */
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** JSON, redacted: never a secret. */
  details: string;
}

export interface WebhooksTable {
  id: Generated<number>;
  url: string;
  /** JSON array of event types; `*` is every type. */
  event_types: string;
  /** The signing secret, sealed: write-only through the API. */
  secret_sealed: string;
  description: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: number;
  event_id: number;
  event_type: string;
  /** `pending` (due at next_attempt_at), `delivered` or `failed` (attempts exhausted). */
  status: string;
  attempts: number;
  next_attempt_at: number;
  /** Lease of the node sending it now; a dead node's lease expires and another node resends. */
  lease_owner: string | null;
  lease_expires_at: number | null;
  response_status: number | null;
  last_error: string | null;
  /** JSON array of { at, status, error, durationMs }, one per attempt. */
  history: string;
  /** The delivery this one replays, if any. */
  replay_of: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

export interface NotificationsTable {
  id: Generated<number>;
  operation_id: number;
  /** `email` or `webhook`. */
  channel: string;
  /** `pending` (being retried), `sent` or `failed` (gave up). */
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface ReconcileRunsTable {
  id: Generated<number>;
  server_id: number;
  /** `schedule`, `api`, `cli`, … : who asked for the pass. */
  trigger: string;
  /** `running`, `succeeded` or `failed`. */
  status: string;
  objects_seen: number;
  services_seen: number;
  pages: number;
  findings_open: number;
  findings_new: number;
  findings_closed: number;
  error: string | null;
  started_at: number;
  finished_at: number | null;
}

export interface ReconcileFindingsTable {
  id: Generated<number>;
  server_id: number;
  /** `missing`, `state-drift`, `package-drift`, `orphan` or `foreign`. */
  kind: string;
  /** Kind, remote object and service: what makes two passes' findings the same difference. */
  fingerprint: string;
  remote_kind: string;
  remote_key: string;
  service_id: number | null;
  /** JSON: what differs (states, package fields, the mark), never a secret. */
  details: string;
  /** The repair provisio would run: `recreate`, `re-suspend`, `unsuspend`, … */
  proposed_action: string;
  /** `open`, `repaired` or `ignored`. */
  status: string;
  repair_action: string | null;
  repair_operation_id: number | null;
  first_seen_at: number;
  last_seen_at: number;
  /** The last pass that saw it. */
  run_id: number;
  /** When a pass no longer saw it. */
  closed_at: number | null;
  updated_at: number;
}

export interface Database {
  clients: ClientsTable;
  servers: ServersTable;
  server_groups: ServerGroupsTable;
  server_group_members: ServerGroupMembersTable;
  products: ProductsTable;
  services: ServicesTable;
  operations: OperationsTable;
  module_log: ModuleLogTable;
  events: EventsTable;
  event_deliveries: EventDeliveriesTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  notifications: NotificationsTable;
  reconcile_runs: ReconcileRunsTable;
  reconcile_findings: ReconcileFindingsTable;
}
