import { fail } from '../core/error-catalogue.js';
import type { AnyModule, TestConnectionResult } from '../modules/contract.js';
import { validateSettings } from '../modules/settings.js';
import * as serversRepo from '../store/repositories/servers.js';
import { requireModule } from './operation-loader.js';
import type { EngineScope } from './scope.js';
import { FieldErrors, isHostName } from './validation.js';

/** What a server record holds once created or changed: the one shape both are checked in. */
type ServerCandidate = Omit<serversRepo.NewServer, 'port'> & { port?: number };

export function createServersApi(scope: EngineScope) {
  const { deps, db, box, clock, requireServer, nameTaken, refuseIfReferenced, withServerContext } = scope;

  /**
   * The one validator of a server record, for create and for update (a PATCH can never store
   * what a POST refuses). Returns the settings as the module's schema normalised them.
   */
  async function checkServer(
    module: AnyModule,
    candidate: ServerCandidate,
    ownId: number | null,
    hasStoredSecret: boolean,
  ) {
    const errors = new FieldErrors();
    errors.text('name', candidate.name, { required: true, max: 100 });
    if (await nameTaken('servers', candidate.name, ownId))
      errors.add('name', `a server named "${candidate.name}" exists already`);
    if (typeof candidate.hostname !== 'string' || !isHostName(candidate.hostname))
      errors.add('hostname', 'hostname must be a host name or an IP address, without scheme or path');
    errors.text('ip', candidate.ip, { max: 45 });
    if (candidate.ip && !isHostName(candidate.ip)) errors.add('ip', 'ip must be an IP address');
    errors.integer('port', candidate.port, { min: 1, max: 65535 });
    errors.integer('maxAccounts', candidate.maxAccounts ?? undefined, { min: 0 });
    errors.integer('maxConcurrency', candidate.maxConcurrency, { min: 1, max: 1000 });
    errors.text('username', candidate.username, { max: 255 });
    if (module.server.credential !== 'none' && !candidate.secret && !hasStoredSecret)
      errors.add('secret', `a ${module.server.credential} is required for ${module.displayName} servers`);
    if (candidate.tlsFingerprint && !/^([0-9A-Fa-f]{2}:?){32}$/.test(candidate.tlsFingerprint))
      errors.add(
        'tlsFingerprint',
        'tlsFingerprint must be a SHA-256 fingerprint (64 hex digits, colons allowed)',
      );
    let settings = candidate.settings ?? {};
    if (module.server.settings) {
      const checked = validateSettings(module.server.settings, settings);
      if (!checked.ok) for (const e of checked.errors) errors.add(`settings.${e.field}`, e.message);
      else settings = checked.values;
    } else if (Object.keys(settings).length > 0) {
      for (const key of Object.keys(settings))
        errors.add(`settings.${key}`, `${module.displayName} servers have no setting ${key}`);
    }
    return { errors, settings };
  }

  return {
    /** `port` and `secure` default to the module's usual values. */
    async create(input: ServerCandidate) {
      const module = requireModule(deps, input.module);
      const { errors, settings } = await checkServer(module, input, null, false);
      errors.throwIfAny('the server was not added');
      if (input.externalId && (await serversRepo.listServers(db, { externalId: input.externalId })).length)
        throw fail('server.exists', `a server with external id ${input.externalId} exists already`);
      // The module knows its usual ports and whether it normally speaks TLS.
      const secure = input.secure ?? module.server.secureByDefault ?? true;
      const port =
        input.port ?? (secure ? module.server.defaultPort.secure : module.server.defaultPort.plain);
      return serversRepo.insertServer(db, box, { ...input, secure, port, settings }, clock.now());
    },
    get: requireServer,
    list: (filter: { module?: string; externalId?: string } = {}) => serversRepo.listServers(db, filter),
    async update(id: number, patch: Partial<Omit<serversRepo.NewServer, 'module'>>) {
      const current = await requireServer(id);
      const module = requireModule(deps, current.module);
      const candidate: ServerCandidate = {
        name: current.name,
        module: current.module,
        hostname: current.hostname,
        ip: current.ip,
        port: current.port,
        secure: current.secure,
        username: current.username,
        maxAccounts: current.maxAccounts,
        maxConcurrency: current.maxConcurrency,
        enabled: current.enabled,
        tlsVerify: current.tlsVerify,
        tlsFingerprint: current.tlsFingerprint,
        settings: current.settings,
        ...patch,
      };
      const { errors, settings } = await checkServer(module, candidate, id, current.hasSecret);
      errors.throwIfAny('the server was not changed');
      await serversRepo.updateServer(
        db,
        box,
        id,
        { ...patch, ...(patch.settings ? { settings } : {}) },
        clock.now(),
      );
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

/** The servers part of the engine facade. */
export type ServersApi = ReturnType<typeof createServersApi>;
