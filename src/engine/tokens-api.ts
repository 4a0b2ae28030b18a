import { fail, notFound } from '../core/error-catalogue.js';
import { TOKEN_SCOPES, type TokenScope } from '../core/scopes.js';
import * as tokensRepo from '../store/repositories/api-tokens.js';
import type { EngineScope } from './scope.js';
import { FieldErrors } from './validation.js';

export type { ApiTokenRecord } from '../store/repositories/api-tokens.js';

/** API tokens: only their hash is stored; the token itself is in the create answer only. */
export function createTokensApi(scope: Pick<EngineScope, 'db' | 'clock' | 'requireClient'>) {
  const { db, clock, requireClient } = scope;
  return {
    async create(input: { name: string; scope: TokenScope; clientId?: number | null }) {
      const errors = new FieldErrors();
      errors.text('name', input.name, { required: true, max: 100 });
      if (!TOKEN_SCOPES.includes(input.scope))
        errors.add('scope', `scope must be one of ${TOKEN_SCOPES.join(', ')}`);
      if (input.scope === 'customer' && input.clientId == null)
        errors.add('clientId', 'a customer token needs the clientId of the client it belongs to');
      if (input.scope !== 'customer' && input.clientId != null)
        errors.add('clientId', 'only customer tokens belong to a client');
      errors.throwIfAny('the token was not created');
      if (input.clientId != null) await requireClient(input.clientId);
      return tokensRepo.createApiToken(db, input, clock.now());
    },
    list: () => tokensRepo.listApiTokens(db),
    count: () => tokensRepo.countApiTokens(db),
    async revoke(id: number) {
      await tokensRepo.revokeApiToken(db, id, clock.now());
      const record = (await tokensRepo.listApiTokens(db)).find((t) => t.id === id);
      if (!record) throw notFound('token', id);
      return record;
    },
    /** The active token with this value, if any; `touch` records its use (rate-limited by the caller). */
    findActive: (token: string) => tokensRepo.findActiveToken(db, token),
    touch: (id: number) => tokensRepo.touchToken(db, id, clock.now()),
  };
}

export type TokensApi = ReturnType<typeof createTokensApi>;

/** Refuses a customer token's request for another client's record. */
export function requireOwnClient(clientId: number, ownClientId: number | null, what: string): void {
  if (ownClientId !== clientId) {
    throw fail(
      'auth.client_mismatch',
      `this customer token may not see ${what}: it belongs to another client`,
    );
  }
}
