import {
  AxigenEmulator,
  type AxigenEmulatorOptions,
  DEFAULT_ADMIN,
} from '../../src/emulators/axigen/index.js';
import { axigenModule, closeAxigenSessionPools } from '../../src/modules/axigen/index.js';
import { createTestEngine, type TestEngine, type TestEngineOptions } from '../support/engine.js';

/**
 * Axigen emulators (plain or TLS), a real engine with the axigen module, one server per
 * emulator in one group, a Domain product and an Account product, and helpers for services.
 */
export interface AxigenRig {
  emulators: AxigenEmulator[];
  emulator: AxigenEmulator;
  test: TestEngine;
  engine: TestEngine['engine'];
  serverIds: number[];
  domainProductId: number;
  accountProductId: number;
  newProduct(productType: 'domain' | 'account', settings: Record<string, unknown>): Promise<number>;
  newDomainService(domain: string, password?: string, productId?: number): Promise<number>;
  newAccountService(username: string, password?: string, productId?: number): Promise<number>;
  /** Commands (password lines as `***`) the emulator received since the last `clear()`. */
  commands(emulatorIndex?: number): string[];
  clear(): void;
  close(): Promise<void>;
}

export const ACCOUNT_PRODUCT = {
  targetDomain: 'example.com',
  accountClass: 'gold',
  storageQuotaMb: 2048,
  maxMessages: 50000,
};
export const DOMAIN_PRODUCT = { maxAccounts: 50, defaultQuotaMb: 1024 };

let serial = 0;

export async function startAxigenRig(
  options: {
    servers?: number;
    tls?: boolean;
    fillType?: 'least-full' | 'fill-until-full' | 'round-robin';
    emulator?: AxigenEmulatorOptions;
    runner?: TestEngineOptions['runner'];
    serverSettings?: Record<string, number>;
  } = {},
): Promise<AxigenRig> {
  const emulators: AxigenEmulator[] = [];
  for (let i = 0; i < (options.servers ?? 1); i++) {
    emulators.push(await AxigenEmulator.start({ tls: options.tls === true, ...options.emulator }));
  }
  const test = await createTestEngine({
    modules: [axigenModule],
    ...(options.runner ? { runner: options.runner } : {}),
  });
  const { engine } = test;
  const serverIds: number[] = [];
  for (const [index, emulator] of emulators.entries()) {
    const server = await engine.servers.create({
      name: `axigen-${index + 1}`,
      module: 'axigen',
      hostname: '127.0.0.1',
      port: emulator.port,
      secure: emulator.secure,
      username: DEFAULT_ADMIN.username,
      secret: DEFAULT_ADMIN.password,
      ...(emulator.fingerprint256 ? { tlsFingerprint: emulator.fingerprint256 } : {}),
      settings: { commandTimeoutSeconds: 2, connectTimeoutSeconds: 2, ...options.serverSettings },
    });
    serverIds.push(server.id);
  }
  const group = await engine.serverGroups.create({
    name: `axigen-${++serial}`,
    fillType: options.fillType ?? 'round-robin',
    serverIds,
  });
  const newProduct = async (productType: 'domain' | 'account', settings: Record<string, unknown>) =>
    (
      await engine.products.create({
        name: `Axigen ${productType} ${++serial}`,
        module: 'axigen',
        productType,
        serverGroupId: group.id,
        settings,
      })
    ).id;
  const domainProductId = await newProduct('domain', DOMAIN_PRODUCT);
  const accountProductId = await newProduct('account', ACCOUNT_PRODUCT);
  const client = await engine.clients.create({
    email: 'jane@example.net',
    firstName: 'Jane',
    lastName: 'Doe',
  });
  const rig: AxigenRig = {
    emulators,
    emulator: emulators[0] as AxigenEmulator,
    test,
    engine,
    serverIds,
    domainProductId,
    accountProductId,
    newProduct,
    async newDomainService(domain, password = 'Pm!pass 1', productId = domainProductId) {
      return (await engine.services.create({ clientId: client.id, productId, domain, password })).id;
    },
    async newAccountService(username, password = 'S3cret!pass', productId = accountProductId) {
      return (await engine.services.create({ clientId: client.id, productId, username, password })).id;
    },
    commands(index = 0) {
      return (emulators[index] as AxigenEmulator).commands();
    },
    clear() {
      for (const emulator of emulators) emulator.clearRequests();
    },
    async close() {
      await test.close();
      await closeAxigenSessionPools();
      await Promise.all(emulators.map((emulator) => emulator.close()));
    },
  };
  return rig;
}
