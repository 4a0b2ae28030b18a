import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The fixture module's fake backend: a real HTTP server, so it can live outside the engine's
 * process and survive the engine being killed. It keeps what a real backend would (objects by
 * name) and what a test needs to judge the engine (every step execution with its attempt).
 *
 * Behaviours, per object name and action, tell it to misbehave:
 *   fail        answer 500 with a message (the backend refuses; permanent)
 *   transient   answer 503 `times` times, then behave
 *   hang        never answer
 *   lose-answer do the work, then destroy the connection (the answer is lost)
 */
export type Behaviour =
  | { kind: 'fail'; message: string }
  | { kind: 'transient'; times: number }
  | { kind: 'hang' }
  | { kind: 'lose-answer'; times?: number };

export interface FixtureObject {
  name: string;
  status: 'active' | 'suspended';
  plan: string;
  /** Set by the backend when the remote "install" finished (the module waits for it). */
  readyAt: number | null;
  /** Who made it: a provisio mark, or null for an object staff or another tool created. */
  mark: string | null;
}

export interface StepExecution {
  name: string;
  step: string;
  attempt: number;
  operationId: number;
  /** Backend wall-clock time of the execution. */
  at: number;
}

export class FixtureBackendState {
  readonly objects = new Map<string, FixtureObject[]>();
  readonly steps: StepExecution[] = [];
  readonly behaviours = new Map<string, Behaviour>();
  readonly requests: string[] = [];
  /** Every change made to an existing object (`suspend fx-3`), for ownership tests. */
  readonly changed: string[] = [];
  /** Remote "install" duration in ms of the caller's clock (the module passes its now()). */
  installMs = 0;
  /** Real delay before every answer, so a killed engine dies mid-request. */
  latencyMs = 0;
  /** Called before a step execution is recorded; the crash test checks the journal here. */
  onStep: ((execution: StepExecution) => Promise<void>) | null = null;

  behave(name: string, action: string, behaviour: Behaviour): void {
    this.behaviours.set(`${name}:${action}`, behaviour);
  }

  /** The behaviour to apply now (consumes one use of counted behaviours). */
  take(name: string, action: string): Behaviour | undefined {
    const key = `${name}:${action}`;
    const behaviour = this.behaviours.get(key);
    if (behaviour?.kind === 'transient') {
      if (behaviour.times <= 1) this.behaviours.delete(key);
      else this.behaviours.set(key, { kind: 'transient', times: behaviour.times - 1 });
    }
    if (behaviour?.kind === 'lose-answer' && behaviour.times !== undefined) {
      if (behaviour.times <= 1) this.behaviours.delete(key);
      else this.behaviours.set(key, { kind: 'lose-answer', times: behaviour.times - 1 });
    }
    return behaviour;
  }

  /** An object provisio did not create (no mark, or another's), as staff would leave one. */
  seedForeign(name: string, mark: string | null = null): FixtureObject {
    const object: FixtureObject = { name, status: 'active', plan: 'staff-made', readyAt: 0, mark };
    this.objects.set(name, [object]);
    return object;
  }

  first(name: string): FixtureObject | undefined {
    return this.objects.get(name)?.[0];
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body ? (JSON.parse(body) as Record<string, unknown>) : {};
}

export interface RunningFixtureBackend {
  url: string;
  state: FixtureBackendState;
  close(): Promise<void>;
}

export async function startFixtureBackend(state = new FixtureBackendState()): Promise<RunningFixtureBackend> {
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const parts = url.pathname.split('/').filter(Boolean);
    const body = req.method === 'GET' ? {} : await readJson(req);
    state.requests.push(`${req.method} ${url.pathname}`);
    if (state.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, state.latencyMs));
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const name = decodeURIComponent(parts[1] ?? '');
    const action = req.method === 'GET' ? 'lookup' : String(body.action ?? parts[2] ?? '');
    const behaviour = parts[0] === 'objects' ? state.take(name, action) : undefined;
    if (behaviour?.kind === 'hang') return;
    if (behaviour?.kind === 'transient') return reply(503, { error: 'backend busy, try again' });
    if (behaviour?.kind === 'fail') return reply(500, { error: behaviour.message });

    const finish = (status: number, payload: unknown) =>
      behaviour?.kind === 'lose-answer' ? req.socket.destroy() : reply(status, payload);
    if (parts[0] === 'steps' && req.method === 'POST') {
      const execution = {
        name: String(body.name),
        step: String(body.step),
        attempt: Number(body.attempt),
        operationId: Number(body.operationId),
        at: Date.now(),
      };
      await state.onStep?.(execution);
      state.steps.push(execution);
      return reply(200, { ok: true });
    }
    if (parts[0] === 'objects' && !name && req.method === 'GET') {
      return reply(200, { objects: [...state.objects.values()].flat() });
    }
    if (parts[0] !== 'objects' || !name) return reply(404, { error: 'no such route' });
    const list = state.objects.get(name) ?? [];
    const object = list[0];
    if (req.method === 'GET') {
      if (!object) return reply(404, { error: 'not found' });
      const now = Number(url.searchParams.get('now') ?? Date.now());
      return reply(200, {
        ...object,
        ready: object.readyAt !== null && now >= object.readyAt,
        copies: list.length,
      });
    }
    switch (action) {
      case 'create': {
        // A naive backend: it makes a second object if asked twice. The module must look first.
        const created: FixtureObject = {
          name,
          status: 'active',
          plan: String(body.plan ?? 'basic'),
          readyAt: Number(body.now ?? Date.now()) + state.installMs,
          mark: typeof body.mark === 'string' ? body.mark : null,
        };
        state.objects.set(name, [...list, created]);
        return finish(201, created);
      }
      case 'suspend':
      case 'unsuspend':
      case 'change-plan':
      case 'change-password':
      case 'mark':
      case 'terminate': {
        if (!object) return reply(404, { error: `${name} does not exist` });
        state.changed.push(`${action} ${name}`);
        if (action === 'terminate') state.objects.delete(name);
        else if (action === 'change-plan') object.plan = String(body.plan);
        else if (action === 'mark') object.mark = String(body.mark);
        else if (action !== 'change-password') object.status = action === 'suspend' ? 'suspended' : 'active';
        return finish(200, object);
      }
      default:
        return reply(400, { error: `unknown action ${action}` });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
