import { Redactor } from '../../src/core/redaction.js';
import type { ActionContext, ServiceView } from '../../src/modules/contract.js';
import type { Dci6Settings } from '../../src/modules/dcimanager6/settings.js';
import { createMemoryModuleLog } from '../../src/transport/module-log.js';

/**
 * A hand-made action context for calling DCImanager 6 module functions directly (adopt, loginUrl)
 * where the engine on this branch has no route to them yet: in-memory remote ids, steps run at
 * once, waits checked once.
 */
export function dci6ActionContext(input: {
  port: number;
  serviceId: number;
  email: string;
  settings: Dci6Settings;
  remote?: Record<string, string>;
  customFields?: Record<string, string>;
  args?: Record<string, unknown>;
}): ActionContext<Dci6Settings> & { remoteIds: Record<string, string>; secrets: Redactor } {
  const remoteIds: Record<string, string> = { ...input.remote };
  const secrets = new Redactor(['secret']);
  const service: ServiceView = {
    id: input.serviceId,
    status: 'active',
    domain: null,
    username: input.email,
    password: null,
    configOptions: {},
    customFields: input.customFields ?? {},
    dedicatedIp: null,
    assignedIps: [],
  };
  return {
    remoteIds,
    secrets,
    server: {
      id: 1,
      name: 'dci-1',
      module: 'dcimanager6',
      hostname: '127.0.0.1',
      ip: null,
      host: '127.0.0.1',
      port: input.port,
      secure: false,
      username: 'admin@example.com',
      secret: 'secret',
      tls: { verify: true },
      maxAccounts: null,
      settings: {},
    },
    moduleLog: createMemoryModuleLog(secrets),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    signal: new AbortController().signal,
    addSecret: (value) => void secrets.add(value),
    now: () => Date.now(),
    operationId: 1,
    action: 'adopt',
    attempt: 1,
    service,
    client: {
      id: 1,
      externalId: null,
      email: input.email,
      firstName: '',
      lastName: '',
      company: '',
      emailVerified: true,
      customFields: {},
    },
    product: { id: 1, name: 'Dedicated', module: 'dcimanager6', productType: null },
    settings: input.settings,
    configOptions: {},
    args: input.args ?? {},
    remote: {
      get: (key) => remoteIds[key],
      all: () => ({ ...remoteIds }),
      set: async (key, value) => {
        remoteIds[key] = value;
      },
      delete: async (key) => {
        delete remoteIds[key];
      },
    },
    step: (_name, fn) => fn(),
    async wait(name, check) {
      const value = await check();
      if (value === undefined) throw new Error(`wait ${name} did not hold`);
      return value;
    },
    progress: async () => {},
    warn: async () => {},
    updateService: async () => {},
    updateClient: async () => {},
  };
}
