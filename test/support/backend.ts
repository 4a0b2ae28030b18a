import type { Engine } from '../../src/engine/engine.js';

type NewServer = Parameters<Engine['servers']['create']>[0];
type NewProduct = Parameters<Engine['products']['create']>[0];

export interface EmulatorBackend {
  serverIds: number[];
  groupId: number;
  productId: number;
}

/**
 * The setup every module test and bench repeats: one server per emulator (plain HTTP or CLI on
 * 127.0.0.1), a group holding them and a product placed in it. What differs per module —
 * credentials, server settings, product type and settings — is passed in; names default to
 * `name`, so several backends in one engine stay apart.
 */
export async function registerEmulatorBackend(
  engine: Engine,
  backend: {
    module: string;
    name: string;
    /** Ports of the emulators, one server each, in group priority order. */
    ports: readonly number[];
    /** What the module's server record needs besides host and port (secret, username, settings…). */
    server: Omit<NewServer, 'name' | 'module' | 'hostname' | 'port'>;
    fillType?: 'least-full' | 'fill-until-full' | 'round-robin';
    product?: Omit<NewProduct, 'name' | 'module' | 'serverGroupId'> & { name?: string };
  },
): Promise<EmulatorBackend> {
  const serverIds: number[] = [];
  for (const [i, port] of backend.ports.entries()) {
    const server = await engine.servers.create({
      secure: false,
      ...backend.server,
      name: backend.ports.length === 1 ? backend.name : `${backend.name}-${i + 1}`,
      module: backend.module,
      hostname: '127.0.0.1',
      port,
    });
    serverIds.push(server.id);
  }
  const group = await engine.serverGroups.create({
    name: backend.name,
    fillType: backend.fillType ?? 'least-full',
    serverIds,
  });
  const { name: productName, ...product } = backend.product ?? {};
  const created = await engine.products.create({
    settings: {},
    ...product,
    name: productName ?? backend.name,
    module: backend.module,
    serverGroupId: group.id,
  });
  return { serverIds, groupId: group.id, productId: created.id };
}
