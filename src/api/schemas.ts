import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { FILL_TYPES } from '../core/fill-types.js';
import { SERVICE_STATUSES } from '../core/lifecycle.js';
import { TOKEN_SCOPES } from '../core/scopes.js';

/**
 * Request and response schemas. They validate requests (bodies strictly: unknown fields are
 * refused, so a typo never passes silently), shape responses (a field not declared here is never
 * sent: the server secret cannot leak through a response), and produce the OpenAPI document.
 */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
/** One line of text: the engine refuses line breaks and NUL in names, so the schema does too. */
const Text = (max = 255) => Type.String({ maxLength: max, pattern: '^[^\\r\\n\\u0000]*$' });
const StringMap = Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 4096 }), {
  maxProperties: 200,
});
const SettingValue = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
const Settings = Type.Record(Type.String({ maxLength: 128 }), SettingValue, { maxProperties: 64 });
const Timestamp = Type.Integer({ description: 'Milliseconds since the Unix epoch' });

/**
 * A record id in a path: a positive integer written canonically (`14`; never `014`, `+14`,
 * `14.0`, `14e0` or ` 14`), so one record has one URL. The API turns it into a number before the
 * handler runs (server.ts).
 */
export const PathId = Type.String({
  pattern: '^[1-9][0-9]{0,9}$',
  description: 'A record id: a positive whole number, without leading zeros or signs',
});
export const IdParams = Type.Object({ id: PathId });
export type IdParams = { id: number };
export const MemberParams = Type.Object({ id: PathId, serverId: PathId });
export type MemberParams = { id: number; serverId: number };
export const Deleted = Type.Object({ deleted: Type.Literal(true), id: Type.Integer() });

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable code, see docs/errors.md' }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'Error' },
);

export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  afterId: Type.Optional(Type.Integer({ minimum: 0 })),
});

// Clients
export const ClientRecord = Type.Object({
  id: Type.Integer(),
  externalId: Nullable(Type.String()),
  email: Type.String(),
  firstName: Type.String(),
  lastName: Type.String(),
  company: Type.String(),
  emailVerified: Type.Boolean(),
  customFields: Type.Record(Type.String(), Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const NewClient = Type.Object(
  {
    email: Text(254),
    externalId: Type.Optional(Nullable(Text(100))),
    firstName: Type.Optional(Text(100)),
    lastName: Type.Optional(Text(100)),
    company: Type.Optional(Text(200)),
    emailVerified: Type.Optional(Type.Boolean()),
    customFields: Type.Optional(StringMap),
  },
  { additionalProperties: false },
);
export type NewClient = Static<typeof NewClient>;
export const ClientPatch = Type.Partial(Type.Omit(NewClient, ['externalId']), {
  additionalProperties: false,
});
export type ClientPatch = Static<typeof ClientPatch>;

// Servers
export const ServerRecord = Type.Object({
  id: Type.Integer(),
  externalId: Nullable(Type.String({ description: "Billing's own id of the record (WHMCS: whmcs-<id>)" })),
  name: Type.String(),
  module: Type.String(),
  hostname: Type.String(),
  ip: Nullable(Type.String()),
  port: Type.Integer(),
  secure: Type.Boolean(),
  username: Type.String(),
  hasSecret: Type.Boolean({ description: 'The secret itself is write-only and never returned.' }),
  maxAccounts: Nullable(Type.Integer()),
  maxConcurrency: Type.Integer(),
  enabled: Type.Boolean(),
  tlsVerify: Type.Boolean(),
  tlsFingerprint: Nullable(Type.String()),
  settings: Settings,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const serverFields = {
  externalId: Type.Optional(Nullable(Text(100))),
  name: Text(100),
  module: Text(64),
  hostname: Text(253),
  ip: Type.Optional(Nullable(Text(45))),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  secure: Type.Optional(Type.Boolean()),
  username: Type.Optional(Text(255)),
  secret: Type.Optional(
    Nullable(Type.String({ maxLength: 4096, description: 'Password or API key; write-only.' })),
  ),
  maxAccounts: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  maxConcurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  enabled: Type.Optional(Type.Boolean()),
  tlsVerify: Type.Optional(Type.Boolean()),
  tlsFingerprint: Type.Optional(Nullable(Text(95))),
  settings: Type.Optional(Settings),
};
export const NewServer = Type.Object(serverFields, { additionalProperties: false });
export type NewServer = Static<typeof NewServer>;
export const ServerPatch = Type.Partial(Type.Omit(NewServer, ['module', 'externalId']), {
  additionalProperties: false,
});
export type ServerPatch = Static<typeof ServerPatch>;
export const TestConnectionResult = Type.Object({
  ok: Type.Boolean(),
  summary: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.String())),
  error: Type.Optional(Type.Object({ code: Type.String(), kind: Type.String(), message: Type.String() })),
});

// Server groups
const FillType = Type.Union(FILL_TYPES.map((f) => Type.Literal(f)));
export const ServerGroupPatch = Type.Object(
  { name: Type.Optional(Text(100)), fillType: Type.Optional(FillType) },
  { additionalProperties: false, minProperties: 1 },
);
export type ServerGroupPatch = Static<typeof ServerGroupPatch>;
export const ServerGroupRecord = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  fillType: FillType,
  lastServerId: Nullable(Type.Integer()),
  members: Type.Array(Type.Object({ serverId: Type.Integer(), priority: Type.Integer() })),
});
export const NewServerGroup = Type.Object(
  {
    name: Text(100),
    fillType: FillType,
    serverIds: Type.Optional(Type.Array(Id, { maxItems: 500, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type NewServerGroup = Static<typeof NewServerGroup>;
export const GroupMember = Type.Object(
  { serverId: Id, priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })) },
  { additionalProperties: false },
);
export type GroupMember = Static<typeof GroupMember>;

// Products
export const ProductRecord = Type.Object({
  id: Type.Integer(),
  externalId: Nullable(Type.String({ description: "Billing's own id of the record (WHMCS: whmcs-<id>)" })),
  name: Type.String(),
  module: Type.String(),
  productType: Nullable(Type.String()),
  serverGroupId: Nullable(Type.Integer()),
  settings: Type.Record(Type.String(), SettingValue, {
    description: 'Secret settings are left out; secretSettingNames lists them.',
  }),
  secretSettingNames: Type.Array(Type.String()),
  configOptions: Type.Array(Type.Unknown()),
  welcomeTemplate: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const NewProduct = Type.Object(
  {
    externalId: Type.Optional(Nullable(Text(100))),
    name: Text(200),
    module: Text(64),
    productType: Type.Optional(Nullable(Text(64))),
    serverGroupId: Type.Optional(Nullable(Id)),
    settings: Type.Optional(Settings),
    configOptions: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 100 })),
    welcomeTemplate: Type.Optional(Nullable(Type.String({ maxLength: 65_536 }))),
  },
  { additionalProperties: false },
);
export type NewProduct = Static<typeof NewProduct>;
export const ProductPatch = Type.Partial(
  Type.Pick(NewProduct, ['name', 'serverGroupId', 'settings', 'welcomeTemplate']),
  { additionalProperties: false },
);
export type ProductPatch = Static<typeof ProductPatch>;
export const LoadChoicesBody = Type.Object(
  {
    module: Text(64),
    productType: Type.Optional(Nullable(Text(64))),
    field: Text(128),
    serverId: Id,
    values: Type.Optional(Settings),
  },
  { additionalProperties: false },
);
export type LoadChoicesBody = Static<typeof LoadChoicesBody>;
export const Choices = Type.Object({
  choices: Type.Array(Type.Object({ value: Type.String(), label: Type.String() })),
});

// Services
const ServiceStatus = Type.Union(SERVICE_STATUSES.map((s) => Type.Literal(s)));
export const UsageFigures = Type.Object({
  diskUsedMb: Type.Optional(Type.Number()),
  diskLimitMb: Type.Optional(Type.Number()),
  bandwidthUsedMb: Type.Optional(Type.Number()),
  bandwidthLimitMb: Type.Optional(Type.Number()),
  figures: Type.Optional(Type.Record(Type.String(), Type.Number())),
});
export const ServiceRecord = Type.Object({
  id: Type.Integer(),
  externalId: Nullable(Type.String({ description: "Billing's own id of the record (WHMCS: whmcs-<id>)" })),
  clientId: Type.Integer(),
  productId: Type.Integer(),
  serverId: Nullable(Type.Integer()),
  status: ServiceStatus,
  domain: Nullable(Type.String()),
  username: Nullable(Type.String()),
  hasPassword: Type.Boolean({ description: 'The password is write-only and never returned.' }),
  configOptions: Type.Record(Type.String(), Type.String()),
  customFields: Type.Record(Type.String(), Type.String()),
  remoteIds: Type.Record(Type.String(), Type.String()),
  dedicatedIp: Nullable(Type.String()),
  assignedIps: Type.Array(Type.String()),
  usage: UsageFigures,
  usageUpdatedAt: Nullable(Timestamp),
  suspendReason: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const serviceFields = {
  productId: Id,
  serverId: Type.Optional(Nullable(Id)),
  domain: Type.Optional(Nullable(Text(253))),
  username: Type.Optional(Nullable(Text(128))),
  password: Type.Optional(
    Nullable(
      Type.String({ minLength: 1, maxLength: 256, description: 'Write-only; generated when absent.' }),
    ),
  ),
  configOptions: Type.Optional(StringMap),
  customFields: Type.Optional(StringMap),
};
export const NewService = Type.Object(
  {
    clientId: Id,
    ...serviceFields,
    externalId: Type.Optional(Nullable(Text(100))),
    status: Type.Optional(
      Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('suspended')], {
        description:
          'Register a service that already exists on its backend (with serverId; audited). Its backend object is still looked up, and adopted only as the ownership rule allows.',
      }),
    ),
    placementOverride: Type.Optional(
      Type.Boolean({
        description:
          'Administrators only: place on `serverId` even when it is disabled, full or outside the product group (audited).',
      }),
    ),
  },
  { additionalProperties: false },
);
export type NewService = Static<typeof NewService>;
export const ExternalIdQuery = Type.Object({ externalId: Type.Optional(Text(100)) });
export type ExternalIdQuery = Static<typeof ExternalIdQuery>;
export const ServiceQuery = Type.Object({
  externalId: Type.Optional(Text(100)),
  clientId: Type.Optional(Id),
  productId: Type.Optional(Id),
  serverId: Type.Optional(Id),
  status: Type.Optional(ServiceStatus),
  search: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Part of the domain or username, or the service id',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  afterId: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type ServiceQuery = Static<typeof ServiceQuery>;
export const ViewModel = Type.Object({
  fields: Type.Array(
    Type.Object({ label: Type.String(), value: Type.String(), href: Type.Optional(Type.String()) }),
  ),
});
export const ViewBody = Type.Object(
  {
    kind: Type.Optional(Type.Union([Type.Literal('client'), Type.Literal('admin')], { default: 'client' })),
  },
  { additionalProperties: false },
);
export type ViewBody = Static<typeof ViewBody>;
export const LoginLink = Type.Object({
  url: Type.String({ description: 'A single sign-on link; it creates a credential on the backend.' }),
});
export const WelcomeMessage = Type.Object({
  message: Nullable(
    Type.String({
      description:
        "The product's welcome template rendered for this service; null when the product has none.",
    }),
  ),
});

// Operations
const OperationStatus = Type.Union(
  ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'].map((s) => Type.Literal(s)),
);
export const OperationRecord = Type.Object({
  id: Type.Integer(),
  serviceId: Type.Integer(),
  serverId: Nullable(Type.Integer()),
  module: Type.String(),
  action: Type.String(),
  args: Type.Record(Type.String(), Type.Unknown()),
  hasSecretArgs: Type.Boolean(),
  status: OperationStatus,
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  runAt: Timestamp,
  idempotencyKey: Nullable(Type.String()),
  journal: Type.Unknown({ description: 'Finished steps and started waits' }),
  progressMessage: Nullable(Type.String()),
  warnings: Type.Array(Type.Object({ at: Timestamp, message: Type.String() }), {
    description: 'What the module warned about during the run (e.g. a game server deployed without a port).',
  }),
  progressFraction: Nullable(Type.Number()),
  errorKind: Nullable(Type.String()),
  errorCode: Nullable(Type.String()),
  errorMessage: Nullable(Type.String()),
  resolvedAt: Nullable(Timestamp),
  resolution: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
});
export const OperationQuery = Type.Object({
  status: Type.Optional(OperationStatus),
  serviceId: Type.Optional(Id),
  serverId: Type.Optional(Id),
  action: Type.Optional(Text(100)),
  module: Type.Optional(Text(64)),
  unresolved: Type.Optional(
    Type.Boolean({ description: 'Only the failed-actions queue: failed and not resolved.' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  beforeId: Type.Optional(Id),
});
export type OperationQuery = Static<typeof OperationQuery>;
export const ResolveBody = Type.Object(
  { markSucceeded: Type.Optional(Type.Boolean()), note: Type.Optional(Text(500)) },
  { additionalProperties: false },
);
export type ResolveBody = Static<typeof ResolveBody>;
export const ModuleLogEntry = Type.Object({
  id: Type.Integer(),
  operationId: Nullable(Type.Integer()),
  serverId: Nullable(Type.Integer()),
  module: Type.String(),
  action: Type.String(),
  request: Type.String(),
  response: Type.String(),
  durationMs: Type.Number(),
  outcome: Type.String(),
  error: Type.Optional(Type.String()),
  createdAt: Timestamp,
});
export const OperationDetail = Type.Object({
  operation: OperationRecord,
  moduleLog: Type.Array(ModuleLogEntry),
});
export const ModuleLogQuery = Type.Object({
  operationId: Type.Optional(Id),
  serviceId: Type.Optional(Id),
  serverId: Type.Optional(Id),
  module: Type.Optional(Text(64)),
  action: Type.Optional(Text(100)),
  outcome: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('error')])),
  since: Type.Optional(Type.Integer({ minimum: 0 })),
  search: Type.Optional(Text(200)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  beforeId: Type.Optional(Id),
});
export type ModuleLogQuery = Static<typeof ModuleLogQuery>;

// Actions
export const WaitQuery = Type.Object({
  wait: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 3600,
      description: 'Seconds to wait for the operation to end (bounded by the server).',
    }),
  ),
});
export type WaitQuery = Static<typeof WaitQuery>;
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' }),
  ),
});
export const ActionResult = Type.Object({
  operation: OperationRecord,
  created: Type.Boolean({ description: 'false when the Idempotency-Key matched an earlier request' }),
  finished: Type.Boolean({ description: 'The operation ended within the wait' }),
});
export const EmptyBody = Type.Object({}, { additionalProperties: false });
export const ChangePackageBody = Type.Object({ productId: Id }, { additionalProperties: false });
export const ChangePasswordBody = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export const CustomActionBody = Type.Object(
  { args: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 50 })) },
  { additionalProperties: false },
);
export const AdoptBody = Type.Object(
  {
    confirm: Type.Literal(true, {
      description: 'Confirms that the object found under the service name belongs to this service.',
    }),
  },
  { additionalProperties: false },
);
export const ServicePatch = Type.Object(
  {
    domain: Type.Optional(Nullable(Text(253))),
    username: Type.Optional(Nullable(Text(128))),
    configOptions: Type.Optional(StringMap),
    customFields: Type.Optional(StringMap),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ServicePatch = Static<typeof ServicePatch>;
export const RevealedPassword = Type.Object({ password: Type.String() });
export const RevealedField = Type.Object({ name: Type.String(), value: Type.String() });
export const FieldParams = Type.Object({ id: PathId, name: Type.String({ minLength: 1, maxLength: 128 }) });
export type FieldParams = { id: number; name: string };
export const SuspendBody = Type.Object({ reason: Type.Optional(Text(500)) }, { additionalProperties: false });

// Orders
export const OrderBody = Type.Object(
  {
    orderId: Text(100),
    clientId: Type.Optional(Id),
    client: Type.Optional(NewClient),
    services: Type.Array(Type.Object(serviceFields, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 20,
    }),
  },
  { additionalProperties: false },
);
export type OrderBody = Static<typeof OrderBody>;
export const OrderResult = Type.Object({
  orderId: Type.String(),
  client: ClientRecord,
  clientCreated: Type.Boolean(),
  services: Type.Array(Type.Object({ service: ServiceRecord, operation: OperationRecord })),
  created: Type.Boolean({ description: 'false when the Idempotency-Key matched an earlier order' }),
});

// Usage
export const UsageSyncBody = Type.Object({ serverId: Type.Optional(Id) }, { additionalProperties: false });
export const UsageSyncResult = Type.Object({
  servers: Type.Array(
    Type.Object({
      serverId: Type.Integer(),
      serverName: Type.String(),
      services: Type.Integer(),
      updated: Type.Integer(),
      error: Type.Optional(Type.String()),
    }),
  ),
});
export const ServiceUsage = Type.Object({
  serviceId: Type.Integer(),
  usage: UsageFigures,
  usageUpdatedAt: Nullable(Timestamp),
});
export const ServerUsage = Type.Object({ serverId: Type.Integer(), services: Type.Array(ServiceUsage) });

// Tokens
const Scope = Type.Union(TOKEN_SCOPES.map((scope) => Type.Literal(scope)));
export const TokenRecord = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String(),
  scope: Scope,
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
  clientId: Nullable(
    Type.Integer({ description: 'Customer tokens: the client whose records they may see.' }),
  ),
});
export const NewToken = Type.Object(
  {
    name: Text(100),
    scope: Scope,
    clientId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type NewToken = Static<typeof NewToken>;
export const CreatedToken = Type.Object({
  token: Type.String({ description: 'Shown once; only its hash is stored.' }),
  record: TokenRecord,
});

export const listOf = <T extends TSchema>(schema: T) => Type.Object({ items: Type.Array(schema) });
