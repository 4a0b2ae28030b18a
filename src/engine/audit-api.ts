import type { Clock } from '../core/clock.js';
import { isSecretKeyName } from '../core/redaction.js';
import type { Db } from '../store/database.js';
import * as auditRepo from '../store/repositories/audit-log.js';

/** Who did something: an API token, the local CLI, or the engine itself. */
export interface Actor {
  name: string;
  tokenId: number | null;
}

export const ENGINE_ACTOR: Actor = Object.freeze({ name: 'engine', tokenId: null });

export interface AuditTarget {
  type: string;
  id: number | string;
}

/** Details are for people reading the trail; values under secret-named keys never enter it. */
function withoutSecrets(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(details).map(([key, value]) => [key, isSecretKeyName(key) ? '***' : value]),
  );
}

export function createAuditApi(scope: { db: Db; clock: Clock }) {
  const { db, clock } = scope;
  return {
    /** Writes one entry: who (actor), what (action), on what (target), with which details. */
    record(actor: Actor, action: string, target: AuditTarget | null, details: Record<string, unknown> = {}) {
      return auditRepo.insertAuditEntry(db, {
        at: clock.now(),
        actor: actor.name,
        tokenId: actor.tokenId,
        action,
        targetType: target?.type ?? null,
        targetId: target ? String(target.id) : null,
        details: withoutSecrets(details),
      });
    },
    list: (filter: auditRepo.AuditFilter = {}) => auditRepo.listAuditEntries(db, filter),
  };
}

export type AuditApi = ReturnType<typeof createAuditApi>;
