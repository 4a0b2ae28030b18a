import type { EmulatorControl, ExtraControlRoute } from '../kit/control.js';
import {
  type ServedEmulator,
  serveHttpEmulator,
  type WireControls,
  type WireRequest,
} from '../kit/http-emulator.js';
import type { EmulatorCertificate } from '../kit/tls.js';
import { type ConsoleCredentials, faultXml, handleConsoleRequest } from './console-api.js';
import type { StoreGridState } from './state.js';

/**
 * The wire: the web console on two real sockets, plain HTTP and HTTPS (6060 and 6061 by default,
 * docs/specs/storegrid.md §4.1), both through the emulator kit (request log, latency, faults,
 * control routes) and both answering from one state. The HTTPS listener answers a plain-HTTP
 * request with nginx's 400 page, as a TLS front does.
 */
export interface StoreGridListeners {
  http: ServedEmulator;
  https: ServedEmulator;
  close(): Promise<void>;
}

export interface StoreGridServeOptions {
  host: string;
  httpPort: number;
  httpsPort: number;
  certificate: EmulatorCertificate;
  state: StoreGridState;
  credentials: ConsoleCredentials;
  controls: WireControls;
  control: () => EmulatorControl;
  extraControl: ExtraControlRoute;
}

export async function serveStoreGrid(options: StoreGridServeOptions): Promise<StoreGridListeners> {
  const common = {
    host: options.host,
    controls: options.controls,
    control: options.control,
    extraControl: options.extraControl,
    handle: (request: WireRequest) => handleConsoleRequest(options.state, options.credentials, request),
    // The kit serialises a fault body as JSON; the console's own envelope is the closest it gets.
    faultBody: faultXml,
  };
  const http = await serveHttpEmulator({ ...common, port: options.httpPort });
  const https = await serveHttpEmulator({
    ...common,
    port: options.httpsPort,
    certificate: options.certificate,
  }).catch(async (error: unknown) => {
    await http.close();
    throw error;
  });
  return {
    http,
    https,
    close: async () => {
      await Promise.all([http.close(), https.close()]);
    },
  };
}
