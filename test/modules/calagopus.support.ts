import { type CalagopusEmulator, FIXTURE } from '../../src/emulators/calagopus/index.js';

/** Raw HTTP against the emulator, for wire-level assertions. */
export async function rawCall(
  emulator: CalagopusEmulator,
  method: string,
  path: string,
  options: {
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    key?: string | null;
    contentType?: string | null;
  } = {},
): Promise<{
  status: number;
  json: { errors?: string[] } & Record<string, unknown>;
  text: string;
  headers: Headers;
}> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.key !== null) headers.authorization ??= `Bearer ${options.key ?? FIXTURE.apiKey}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined && options.contentType !== null)
    headers['content-type'] ??= options.contentType ?? 'application/json';
  // Bytes, not a string: fetch would add `text/plain` to a string body.
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : new TextEncoder().encode(body),
  });
  const text = await response.text();
  let json = {} as { errors?: string[] } & Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch {
    // plain-text answers keep json empty
  }
  return { status: response.status, json, text, headers: response.headers };
}

/** A valid node-mode create body for the fixture panel. */
export function nodeCreateBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    node_uuid: FIXTURE.nodeEu1,
    owner_uuid: FIXTURE.adminUser,
    egg_uuid: FIXTURE.eggPaper,
    allocation_uuids: [],
    start_on_completion: true,
    skip_installer: false,
    external_id: '900',
    name: 'Server-900',
    limits: { cpu: 100, memory: 1024, memory_overhead: 0, swap: 0, disk: 10240 },
    pinned_cpus: [],
    startup: 'java -jar server.jar',
    image: 'ghcr.io/example/java:21',
    hugepages_passthrough_enabled: false,
    kvm_passthrough_enabled: false,
    feature_limits: { allocations: 1, databases: 0, backups: 0, schedules: 0 },
    variables: [],
    ...overrides,
  };
}
