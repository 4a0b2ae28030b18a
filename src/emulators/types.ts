import type { EmulatorControl } from './kit/control.js';

/**
 * Every emulator is a real network server with in-memory state, a request log, fault injection
 * and a control interface. `provisio emulate <id>` starts one through this shape; tests start
 * them in-process and use their handle's methods directly.
 */
export interface EmulatorStartOptions {
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** 0 picks a free port (tests); the CLI passes the backend's usual port. */
  port?: number;
  /** Added to every request or command, in ms. */
  latencyMs?: number;
  /** Serve TLS with a self-signed certificate made at start, where the backend speaks TLS. */
  tls?: boolean;
  /** Load the demo fixtures (default true). */
  fixtures?: boolean;
  /** Emulator-specific knobs from `--set key=value`. */
  options?: Record<string, string>;
  /** Seed of the emulator's random choices (probabilistic faults, weighted placement). */
  seed?: number;
}

export interface RunningEmulator {
  /** Where the backend protocol is served, e.g. `http://127.0.0.1:41234` or `tcp://127.0.0.1:7000`. */
  url: string;
  port: number;
  /** Where the control interface is served, when it is on a separate port. */
  controlUrl?: string;
  /** Lines to print for a person: credentials, ports, what to try. */
  describe(): string[];
  close(): Promise<void>;
}

export interface EmulatorDefinition {
  id: string;
  description: string;
  /** The backend's usual port, used by `provisio emulate` when none is given. */
  defaultPort: number;
  start(options: EmulatorStartOptions): Promise<RunningEmulator>;
}

/**
 * The one shape every emulator's handle has (issue 12): the backend on a real socket plus the
 * common control handle (`kit/control.ts`); TLS emulators name their certificate's fingerprint.
 */
export interface ControlledEmulator extends RunningEmulator, EmulatorControl {
  /** SHA-256 fingerprint of the self-signed certificate, when serving TLS. */
  readonly fingerprint256?: string | undefined;
}
