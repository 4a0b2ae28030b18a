import {
  type EasyMailArchiveEmulator,
  startEasyMailArchiveEmulator,
} from '../../src/emulators/easymailarchive/index.js';
import type { EmulatorStartOptions } from '../../src/emulators/types.js';
import type { Engine } from '../../src/engine/engine.js';
import { easymailarchiveModule } from '../../src/modules/easymailarchive/index.js';
import { createTestEngine, type TestEngine, type TestEngineOptions } from '../support/engine.js';

/**
 * One emulator, one real engine with the easymailarchive module, one server pointed at the
 * emulator over real HTTP, and a helper that makes a client plus a service.
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
  /** `METHOD /path` of every API call the emulator saw since the last clear. */
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
    secure: false,
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
  return {
    emulator,
    test,
    engine,
    serverId: server.id,
    productId,
    newProduct,
    async newService(input = {}) {
      const client = await engine.clients.create({
        email: `client${++clientSerial}@example.test`,
        firstName: 'Ada',
        lastName: 'Lovelace',
        company: input.company ?? 'Acme Corporation',
      });
      const service = await engine.services.create({
        clientId: client.id,
        productId: input.productId ?? productId,
        domain: input.domain === undefined ? 'acme-archive.com' : input.domain,
        ...(input.customFields ? { customFields: input.customFields } : {}),
        ...(input.configOptions ? { configOptions: input.configOptions } : {}),
      });
      return service.id;
    },
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
