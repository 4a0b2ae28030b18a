/**
 * The record and filter types the engine's API returns and takes, for entry points (API, CLI,
 * web) that must not import the store themselves.
 */
export type { FillType } from '../core/fill-types.js';
export type { AuditEntry, AuditFilter } from '../store/repositories/audit-log.js';
export type { ClientRecord } from '../store/repositories/clients.js';
export type { OperationFilter, OperationRecord } from '../store/repositories/operations.js';
export type { ProductRecord } from '../store/repositories/products.js';
export type { ServerGroupRecord } from '../store/repositories/server-groups.js';
export type { ServerRecord } from '../store/repositories/servers.js';
export type { ServiceFilter, ServiceRecord } from '../store/repositories/services.js';
export type { NewWebhook } from '../store/repositories/webhooks.js';
