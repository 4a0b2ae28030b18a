import type { Engine } from '../../src/engine/engine.js';
import type { FillType } from '../../src/store/repositories/server-groups.js';
import type { RunningFixtureBackend } from './fixture-backend.js';

/** A client, a fixture server in a group, a product and a pending service: the usual setup. */
export async function setUpFixtureService(
  engine: Engine,
  backend: RunningFixtureBackend,
  options: {
    settings?: Record<string, unknown>;
    fillType?: FillType;
    module?: string;
    password?: string;
    serverSecret?: string;
  } = {},
) {
  const url = new URL(backend.url);
  const client = await engine.clients.create({
    email: 'ada@example.com',
    firstName: 'Ada',
    lastName: 'Lovelace',
  });
  const server = await engine.servers.create({
    name: `fixture-${Math.random().toString(36).slice(2, 8)}`,
    module: options.module ?? 'fixture',
    hostname: url.hostname,
    port: Number(url.port),
    secure: false,
    secret: options.serverSecret ?? 'server-api-key-123',
  });
  const group = await engine.serverGroups.create({
    name: `group-${server.id}`,
    fillType: options.fillType ?? 'least-full',
    serverIds: [server.id],
  });
  const product = await engine.products.create({
    name: `product-${server.id}`,
    module: options.module ?? 'fixture',
    serverGroupId: group.id,
    settings: options.settings ?? {},
  });
  const service = await engine.services.create({
    clientId: client.id,
    productId: product.id,
    domain: 'example.com',
    ...(options.password ? { password: options.password } : {}),
  });
  return { client, server, group, product, service };
}
