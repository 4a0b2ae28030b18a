import {
  type EasyMailArchiveEmulator,
  startEasyMailArchiveEmulator,
} from '../../src/emulators/easymailarchive/index.js';
import type { EmulatorStartOptions } from '../../src/emulators/types.js';
import type { Engine } from '../../src/engine/engine.js';
import { easymailarchiveModule } from '../../src/modules/easymailarchive/index.js';
import { insertService, updateService } from '../../src/store/repositories/services.js';
import { createTestEngine, type TestEngine, type TestEngineOptions } from '../support/engine.js';

/**
 * One emulator, one real engine with the easymailarchive module, one server pointed at the
 * emulator over real HTTP, and helpers that make clients and services.
 */
export interface ArchiveRig {
  emulator: EasyMailArchiveEmulator;
  test: TestEngine;
  engine: TestEngine['engine'];
  serverId: number;
  productId: number;
  newProduct(settings: Record<string, unknown>): Promise<number>;
  newService(input?: {
    company?: string;
    domain?: string | null;
    customFields?: Record<string, string>;
    configOptions?: Record<string, string>;
    productId?: number;
  }): Promise<number>;
  /**
   * A service written straight into the store with remote ids and a status, as the WHMCS bridge
   * registers a service the vendor's module made: it names a tenant but holds no claim on it.
   */
  importService(input: {
    remoteIds: Record<string, string>;
    status: 'active' | 'suspended';
    productId?: number;
  }): Promise<number>;
  /** Seeds through the emulator's HTTP control route, as another process would. */
  seedOverHttp(entity: string, input: Record<string, unknown>): Promise<void>;
  /** The operator's deliberate adopt, through the engine. */
  adopt(serviceId: number): ReturnType<Engine['run']>;
  /** `METHOD /path status` of every API call the emulator saw since the last clear. */
  calls(): string[];
  close(): Promise<void>;
}

let clientSerial = 0;

export async function startArchiveRig(
  options: {
    emulator?: EmulatorStartOptions;
    product?: Record<string, unknown>;
    runner?: TestEngineOptions['runner'];
    serverSecret?: string;
    serverPort?: number;
    /** Speak HTTPS to the emulator (started with `tls`), accepting its self-signed certificate. */
    https?: boolean;
  } = {},
): Promise<ArchiveRig> {
  const emulator = await startEasyMailArchiveEmulator(options.emulator ?? {});
  const test = await createTestEngine({
    modules: [easymailarchiveModule],
    ...(options.runner ? { runner: options.runner } : {}),
  });
  const { engine } = test;
  const server = await engine.servers.create({
    name: 'ema-test',
    module: 'easymailarchive',
    hostname: '127.0.0.1',
    port: options.serverPort ?? emulator.port,
    secure: options.https === true,
    ...(options.https ? { tlsVerify: false } : {}),
    secret: options.serverSecret ?? emulator.apiKey,
    settings: { baseDomain: emulator.baseDomain },
  });
  const group = await engine.serverGroups.create({
    name: 'ema',
    fillType: 'least-full',
    serverIds: [server.id],
  });
  const newProduct = async (settings: Record<string, unknown>) =>
    (
      await engine.products.create({
        name: `Archive ${++clientSerial}`,
        module: 'easymailarchive',
        serverGroupId: group.id,
        settings,
      })
    ).id;
  const productId = await newProduct(options.product ?? {});
  const newClient = (company = 'Acme Corporation') =>
    engine.clients.create({
      email: `client${++clientSerial}@example.test`,
      firstName: 'Ada',
      lastName: 'Lovelace',
      company,
    });
  return {
    emulator,
    test,
    engine,
    serverId: server.id,
    productId,
    newProduct,
    async newService(input = {}) {
      const client = await newClient(input.company);
      const service = await engine.services.create({
        clientId: client.id,
        productId: input.productId ?? productId,
        domain: input.domain === undefined ? 'acme-archive.com' : input.domain,
        ...(input.customFields ? { customFields: input.customFields } : {}),
        ...(input.configOptions ? { configOptions: input.configOptions } : {}),
      });
      return service.id;
    },
    async importService(input) {
      const client = await newClient();
      const now = test.clock.now();
      return engine.store.write(async (trx) => {
        const service = await insertService(
          trx,
          engine.deps.box,
          { clientId: client.id, productId: input.productId ?? productId, serverId: server.id },
          now,
        );
        await updateService(
          trx,
          engine.deps.box,
          service.id,
          { status: input.status, remoteIds: input.remoteIds },
          now,
        );
        return service.id;
      });
    },
    async seedOverHttp(entity, input) {
      const response = await fetch(`${emulator.url}/__emulator/seed/${entity}`, {
        method: 'POST',
        body: JSON.stringify(input),
      });
      if (response.status !== 201) throw new Error(`seed ${entity}: ${await response.text()}`);
    },
    adopt: (serviceId) => engine.run(serviceId, 'adopt', { args: { confirm: true } }),
    calls: () =>
      emulator
        .requests()
        .map((r) => `${r.method} ${r.path}${r.status === null ? ' (no answer)' : ` ${r.status}`}`),
    async close() {
      await test.close();
      await emulator.close();
    },
  };
}

/**
 * One server per emulator in a round-robin group, and a product on that group: the setup of the
 * usage test and the bench, which spread services over several servers.
 */
export async function addArchiveServers(
  engine: Engine,
  emulators: readonly EasyMailArchiveEmulator[],
  name: string,
): Promise<{ serverIds: number[]; productId: number }> {
  const serverIds: number[] = [];
  for (const [index, emulator] of emulators.entries()) {
    const server = await engine.servers.create({
      name: `${name}-${index}`,
      module: 'easymailarchive',
      hostname: '127.0.0.1',
      port: emulator.port,
      secure: false,
      secret: emulator.apiKey,
      settings: { baseDomain: emulator.baseDomain },
    });
    serverIds.push(server.id);
  }
  const group = await engine.serverGroups.create({ name, fillType: 'round-robin', serverIds });
  const product = await engine.products.create({ name, module: 'easymailarchive', serverGroupId: group.id });
  return { serverIds, productId: product.id };
}
