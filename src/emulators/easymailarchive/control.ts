import type { FaultRule } from './faults.js';
import type { EasyMailArchiveEmulator, EmulatorConfig } from './index.js';
import type { EmulatedTenant, Reseller } from './state.js';

/**
 * Control routes (no auth: the emulator is a local test double):
 *   GET    /__emulator/state                 configuration and every tenant
 *   POST   /__emulator/reset                 fixtures back; faults, log and configuration reset
 *   POST   /__emulator/config                {envelope?: 'enveloped'|'bare', conflictAnswer?: '422'|'409', latencyMs?}
 *   POST   /__emulator/tenants               {tenant: {...}} adds one, or {count, reseller?, prefix?} seeds many
 *   POST   /__emulator/resellers             {id, apiKey, baseDomain}
 *   POST   /__emulator/faults                a FaultRule (see faults.ts); DELETE clears them
 *   GET    /__emulator/requests              the request log; DELETE clears it
 */
export interface ControlReply {
  status: number;
  body: unknown;
}

function object(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

export function handleControl(
  emulator: EasyMailArchiveEmulator,
  method: string,
  url: URL,
  body: unknown,
): ControlReply {
  const route = `${method} ${url.pathname.replace(/^\/__emulator/, '')}`;
  const input = object(body);
  switch (route) {
    case 'GET /state':
      return { status: 200, body: { config: emulator.config(), tenants: emulator.tenants() } };
    case 'POST /reset':
      emulator.reset();
      return { status: 200, body: { ok: true } };
    case 'POST /config': {
      const change: Partial<EmulatorConfig> = {};
      if (input.envelope === 'enveloped' || input.envelope === 'bare') change.envelope = input.envelope;
      if (input.conflictAnswer === '422' || input.conflictAnswer === '409')
        change.conflictAnswer = input.conflictAnswer;
      if (typeof input.latencyMs === 'number' && input.latencyMs >= 0) change.latencyMs = input.latencyMs;
      emulator.configure(change);
      return { status: 200, body: emulator.config() };
    }
    case 'POST /tenants': {
      if (typeof input.count === 'number') {
        const seeded = emulator.seedTenants(input.count, {
          ...(typeof input.reseller === 'string' ? { reseller: input.reseller } : {}),
          ...(typeof input.prefix === 'string' ? { prefix: input.prefix } : {}),
        });
        return { status: 201, body: { seeded: seeded.length } };
      }
      const tenant = object(input.tenant);
      if (typeof tenant.slug !== 'string')
        return { status: 422, body: { message: 'tenant.slug is required' } };
      return { status: 201, body: emulator.putTenant(tenant as Partial<EmulatedTenant> & { slug: string }) };
    }
    case 'POST /resellers': {
      if (
        typeof input.id !== 'string' ||
        typeof input.apiKey !== 'string' ||
        typeof input.baseDomain !== 'string'
      ) {
        return { status: 422, body: { message: 'id, apiKey and baseDomain are required' } };
      }
      emulator.addReseller(input as unknown as Reseller);
      return { status: 201, body: { ok: true } };
    }
    case 'POST /faults': {
      const action = input.action;
      if (action !== 'error' && action !== 'drop-before' && action !== 'drop-after' && action !== 'hang') {
        return { status: 422, body: { message: 'action must be error, drop-before, drop-after or hang' } };
      }
      emulator.injectFault({
        ...(input as unknown as FaultRule),
        times: typeof input.times === 'number' ? input.times : 1,
      });
      return { status: 201, body: { ok: true } };
    }
    case 'DELETE /faults':
      emulator.clearFaults();
      return { status: 200, body: { ok: true } };
    case 'GET /requests':
      return { status: 200, body: emulator.requests() };
    case 'DELETE /requests':
      emulator.clearRequests();
      return { status: 200, body: { ok: true } };
    default:
      return { status: 404, body: { message: `no control route ${route}` } };
  }
}
