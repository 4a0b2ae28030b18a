import type { EmulatorDefinition } from '../types.js';
import { DEFAULT_ADMIN } from './fixtures.js';
import { AxigenEmulator } from './server.js';

export { DEFAULT_ADMIN } from './fixtures.js';
export {
  AxigenEmulator,
  type AxigenEmulatorOptions,
  type FaultSpec,
  type RequestLogEntry,
} from './server.js';

/** `provisio emulate axigen [--tls] [--set version=X6|X7] [--set controlPort=N]`. */
export const emulator: EmulatorDefinition = {
  id: 'axigen',
  description: 'Axigen mail server CLI (X6 10.6 / X7 10.7) over TCP or implicit TLS',
  defaultPort: 7000,
  async start(options) {
    const extra = options.options ?? {};
    const running = await AxigenEmulator.start({
      ...(options.host === undefined ? {} : { host: options.host }),
      port: options.port ?? 0,
      tls: options.tls === true,
      latencyMs: options.latencyMs ?? 0,
      fixtures: options.fixtures !== false,
      ...(extra.version ? { version: extra.version } : {}),
      ...(extra.controlPort ? { controlPort: Number(extra.controlPort) } : {}),
    });
    return {
      url: running.url,
      port: running.port,
      ...(running.controlUrl ? { controlUrl: running.controlUrl } : {}),
      describe: () => [
        `Axigen CLI emulator (${running.version}) on ${running.url}${running.secure ? ' (implicit TLS, self-signed)' : ''}`,
        `log in with ${DEFAULT_ADMIN.username} / ${DEFAULT_ADMIN.password}; domains: ${[...running.state.domains.keys()].join(', ')}`,
        ...(running.fingerprint256 ? [`certificate SHA-256 fingerprint: ${running.fingerprint256}`] : []),
        `control interface: ${running.controlUrl ?? 'none'} (GET state, GET requests, POST reset|faults|latency|usage|drop)`,
        `try: nc ${running.url.replace(/^\w+:\/\//, '').replace(':', ' ')}`,
      ],
      close: () => running.close(),
    };
  },
};
