import { fail } from '../core/error-catalogue.js';
import type { ProvisioningError } from '../core/errors.js';

/** The kinds a transport failure can have, each with its own catalogued code. */
export type TransportFailure = 'unavailable' | 'unknown-outcome' | 'auth' | 'invalid-input';

const CODE_OF = {
  unavailable: 'transport.unavailable',
  'unknown-outcome': 'transport.answer_lost',
  auth: 'transport.tls_untrusted',
  'invalid-input': 'transport.tls_mismatch',
} as const satisfies Record<TransportFailure, string>;

export function transportError(kind: TransportFailure, message: string, cause?: unknown): ProvisioningError {
  return fail(CODE_OF[kind], message, cause === undefined ? {} : { cause });
}
