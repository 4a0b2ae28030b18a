import type { TestConnectionResult } from '../modules/contract.js';
import { validateSettings } from '../modules/settings.js';
import * as serversRepo from '../store/repositories/servers.js';
import { requireModule } from './operation-loader.js';
import type { EngineScope } from './scope.js';
import { FieldErrors, isHostName } from './validation.js';

export function createServersApi(scope: EngineScope) {
  const { deps, db, box, clock, requireServer, nameTaken, refuseIfReferenced, withServerContext } = scope;
  return {
    /** `port` and `secure` default to the module's usual values. */
    async create(input: Omit<serversRepo.NewServer, 'port'> & { port?: number }) {
      const module = requireModule(deps, input.module);
      const errors = new FieldErrors();
      errors.text('name', input.name, { required: true, max: 100 });
      if (await nameTaken('servers', input.name))
        errors.add('name', `a server named "${input.name}" exists already`);
      if (typeof input.hostname !== 'string' || !isHostName(input.hostname))
        errors.add('hostname', 'hostname must be a host name or an IP address, without scheme or path');
      errors.integer('port', input.port, { min: 1, max: 65535 });
      errors.integer('maxAccounts', input.maxAccounts ?? undefined, { min: 0 });
      errors.integer('maxConcurrency', input.maxConcurrency, { min: 1, max: 1000 });
      errors.text('username', input.username, { max: 255 });
      if (module.server.credential !== 'none' && !input.secret)
        errors.add('secret', `a ${module.server.credential} is required for ${module.displayName} servers`);
      if (input.tlsFingerprint && !/^([0-9A-Fa-f]{2}:?){32}$/.test(input.tlsFingerprint))
        errors.add(
          'tlsFingerprint',
          'tlsFingerprint must be a SHA-256 fingerprint (64 hex digits, colons allowed)',
        );
      let settings = input.settings ?? {};
      if (module.server.settings) {
        const checked = validateSettings(module.server.settings, settings);
        if (!checked.ok) for (const e of checked.errors) errors.add(`settings.${e.field}`, e.message);
        else settings = checked.values;
      }
      errors.throwIfAny('the server was not added');
      // The module knows its usual ports and whether it normally speaks TLS.
      const secure = input.secure ?? module.server.secureByDefault ?? true;
      const port =
        input.port ?? (secure ? module.server.defaultPort.secure : module.server.defaultPort.plain);
      return serversRepo.insertServer(db, box, { ...input, secure, port, settings }, clock.now());
    },
    get: requireServer,
    list: (filter: { module?: string } = {}) => serversRepo.listServers(db, filter),
    async update(id: number, patch: Partial<serversRepo.NewServer>) {
      await requireServer(id);
      const errors = new FieldErrors();
      if (patch.hostname !== undefined && !isHostName(patch.hostname))
        errors.add('hostname', 'hostname must be a host name or an IP address');
      errors.integer('port', patch.port, { min: 1, max: 65535 });
      errors.integer('maxConcurrency', patch.maxConcurrency, { min: 1, max: 1000 });
      errors.throwIfAny('the server was not changed');
      await serversRepo.updateServer(db, box, id, patch, clock.now());
      deps.cache.servers.delete(id);
      return requireServer(id);
    },
    /** Only a server no service was ever placed on; otherwise disable it (`enabled: false`). */
    async delete(id: number) {
      await requireServer(id);
      await refuseIfReferenced(
        'server',
        id,
        'server_id',
        ': disable it instead, so no new service is placed on it',
      );
      await serversRepo.deleteServer(db, id);
      deps.cache.servers.delete(id);
    },
    testConnection: (id: number): Promise<TestConnectionResult> =>
      withServerContext(id, 'test-connection', (ctx, module) => module.testConnection(ctx)),
  };
}
