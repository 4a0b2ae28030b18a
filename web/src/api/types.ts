/** Shapes of the /v1 API's answers, as docs/api.md and GET /openapi.json describe them. */

export type Scope = 'customer' | 'read' | 'operator' | 'admin';
export type ServiceStatus = 'pending' | 'active' | 'suspended' | 'terminated' | 'cancelled';
export type OperationStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
export type SettingValue = string | number | boolean;

export interface Page<T> {
  items: T[];
}

export interface Session {
  name: string;
  scope: Scope;
  clientId: number | null;
}

export interface Client {
  id: number;
  externalId: string | null;
  email: string;
  firstName: string;
  lastName: string;
  company: string;
  emailVerified: boolean;
  customFields: Record<string, string>;
  createdAt: number;
}

export interface Server {
  id: number;
  name: string;
  module: string;
  hostname: string;
  ip: string | null;
  port: number;
  secure: boolean;
  username: string;
  hasSecret: boolean;
  maxAccounts: number | null;
  maxConcurrency: number;
  enabled: boolean;
  tlsVerify: boolean;
  tlsFingerprint: string | null;
  settings: Record<string, SettingValue>;
}

export interface TestConnectionResult {
  ok: boolean;
  summary: string;
  details?: Record<string, string>;
  error?: { code: string; kind: string; message: string };
}

export type FillType = 'least-full' | 'fill-until-full' | 'round-robin';

export interface ServerGroup {
  id: number;
  name: string;
  fillType: FillType;
  members: { serverId: number; priority: number }[];
}

export interface Product {
  id: number;
  name: string;
  module: string;
  productType: string | null;
  serverGroupId: number | null;
  settings: Record<string, SettingValue>;
  secretSettingNames: string[];
  welcomeTemplate: string | null;
}

export interface Usage {
  diskUsedMb?: number;
  diskLimitMb?: number;
  bandwidthUsedMb?: number;
  bandwidthLimitMb?: number;
  figures?: Record<string, number>;
}

export interface Service {
  id: number;
  clientId: number;
  productId: number;
  serverId: number | null;
  status: ServiceStatus;
  domain: string | null;
  username: string | null;
  hasPassword: boolean;
  configOptions: Record<string, string>;
  customFields: Record<string, string>;
  remoteIds: Record<string, string>;
  dedicatedIp: string | null;
  assignedIps: string[];
  usage: Usage;
  usageUpdatedAt: number | null;
  suspendReason: string | null;
  createdAt: number;
}

export interface JournalShape {
  steps?: Record<string, { attempt: number; at: number }>;
  waits?: Record<string, { startedAt: number; checks?: number }>;
  lookupFirst?: boolean;
}

export interface Operation {
  id: number;
  serviceId: number;
  serverId: number | null;
  module: string;
  action: string;
  args: Record<string, unknown>;
  status: OperationStatus;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  journal: JournalShape;
  progressMessage: string | null;
  progressFraction: number | null;
  errorKind: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  resolvedAt: number | null;
  resolution: string | null;
  warnings?: { at: number; message: string }[];
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface ModuleLogEntry {
  id: number;
  operationId: number | null;
  serverId: number | null;
  module: string;
  action: string;
  request: string;
  response: string;
  durationMs: number;
  outcome: string;
  error?: string;
  createdAt: number;
}

export interface ActionResult {
  operation: Operation;
  created: boolean;
  finished: boolean;
}

export interface ViewModel {
  fields: { label: string; value: string; href?: string }[];
  loginUrl?: string;
}

/** A settings field as GET /v1/modules describes it. */
export interface SettingField {
  name: string;
  label: string;
  type: 'text' | 'password' | 'yesno' | 'dropdown' | 'radio' | 'textarea' | 'number';
  default?: SettingValue;
  description?: string;
  required?: boolean;
  secret?: boolean;
  options?: { value: string; label: string }[];
  loader?: string;
  min?: number;
  max?: number;
  maxLength?: number;
  pattern?: string;
  patternMessage?: string;
  showWhen?: { field: string; equals: SettingValue };
}

export interface ModuleAction {
  name: string;
  label: string;
  description?: string;
  destructive: boolean;
  arguments: SettingField[];
}

export interface ModuleInfo {
  id: string;
  displayName: string;
  server: {
    credential: 'password' | 'api-key' | 'none';
    defaultPort: { plain: number; secure: number };
    secureByDefault?: boolean;
    settings: SettingField[];
  };
  productTypes: {
    id: string | null;
    displayName: string;
    settings: SettingField[];
    configOptions: { name: string; label: string; description?: string }[];
  }[];
  actions: ModuleAction[];
  views: { client: boolean; admin: boolean };
  loginLink: boolean;
  lifecycle: string[];
}

export interface HourlyOperations {
  hourStart: number;
  finished: number;
  succeeded: number;
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface DashboardSummary {
  generatedAt: number;
  servicesByStatus: Record<ServiceStatus, number>;
  queue: { queued: number; running: number; waiting: number };
  failedOperations: {
    unresolved: number;
    latest: Pick<
      Operation,
      'id' | 'serviceId' | 'module' | 'action' | 'errorCode' | 'errorMessage' | 'finishedAt'
    >[];
  };
  operationsPerHour: HourlyOperations[];
  usage: {
    services: number;
    withUsage: number;
    diskUsedMb: number;
    diskLimitMb: number;
    bandwidthUsedMb: number;
    bandwidthLimitMb: number;
    oldestSyncAt: number | null;
    newestSyncAt: number | null;
  };
  /** Reconcile's open findings per server (servers without any are left out). */
  openFindings: { serverId: number; name: string; open: number; byKind: Record<string, number> }[];
}

export interface ServerFill {
  serverId: number;
  name: string;
  module: string;
  enabled: boolean;
  services: number;
  maxAccounts: number | null;
  fill: number | null;
}

export interface GroupFill {
  groupId: number | null;
  name: string;
  fillType: string | null;
  servers: ServerFill[];
}
