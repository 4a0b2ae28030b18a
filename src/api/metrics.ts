import client from 'prom-client';
import type { EngineObserver } from '../engine/deps.js';

/** Operations by status, action and module, counted in the database (every node's work). */
export type QueueCounter = () => Promise<
  readonly { status: string; action: string; module: string; n: number }[]
>;

/** Reconcile's open findings per server and kind. */
export type FindingsCounter = () => Promise<readonly { serverId: number; kind: string; n: number }[]>;

export interface Metrics {
  registry: client.Registry;
  /** Give this to createEngine: finished operations and remote calls feed the histograms. */
  observer: EngineObserver;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Point the database gauges at the engine's counts (read at each scrape, so every node's work counts). */
  watchQueue(count: QueueCounter): void;
  /** Point the findings gauge at reconcile's counts (read at each scrape). */
  watchFindings(count: FindingsCounter): void;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Prometheus metrics on their own registry (tests build several APIs in one process). */
export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'provisio_' });
  let countOperations: QueueCounter | undefined;
  let countFindings: FindingsCounter | undefined;

  const finished = new client.Counter({
    name: 'provisio_operations_finished_total',
    help: 'Operations that ended in this process, by final status, action and module',
    labelNames: ['status', 'action', 'module'],
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'provisio_operation_duration_seconds',
    help: 'Time from enqueue to end of operations that ended in this process',
    labelNames: ['status', 'action', 'module'],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  const remote = new client.Histogram({
    name: 'provisio_remote_call_duration_seconds',
    help: 'Latency of calls to backends, by module, server and outcome',
    labelNames: ['module', 'server', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const http = new client.Histogram({
    name: 'provisio_http_request_duration_seconds',
    help: 'API request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  new client.Gauge({
    name: 'provisio_operations',
    help: 'Operations in the database by status, action and module',
    labelNames: ['status', 'action', 'module'],
    registers: [registry],
    async collect() {
      if (!countOperations) return;
      this.reset();
      for (const row of await countOperations())
        this.set({ status: row.status, action: row.action, module: row.module }, row.n);
    },
  });
  new client.Gauge({
    name: 'provisio_queue_depth',
    help: 'Operations queued or waiting (durable waits), over every node',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      if (!countOperations) return;
      this.reset();
      const rows = await countOperations();
      for (const status of ['queued', 'waiting'])
        this.set(
          { status },
          rows.filter((r) => r.status === status).reduce((sum, r) => sum + r.n, 0),
        );
    },
  });

  new client.Gauge({
    name: 'provisio_reconcile_open_findings',
    help: "Reconcile's open findings (differences between billing and a backend no operator has repaired or ignored), by server id and kind",
    labelNames: ['server', 'kind'],
    registers: [registry],
    async collect() {
      if (!countFindings) return;
      this.reset();
      for (const row of await countFindings())
        this.set({ server: String(row.serverId), kind: row.kind }, row.n);
    },
  });

  return {
    registry,
    observer: {
      operationFinished(operation, durationMs) {
        const labels = { status: operation.status, action: operation.action, module: operation.module };
        finished.inc(labels);
        duration.observe(labels, durationMs / 1000);
      },
      remoteCall(module, serverId, call) {
        remote.observe({ module, server: String(serverId), outcome: call.outcome }, call.durationMs / 1000);
      },
    },
    observeRequest(method, route, status, seconds) {
      http.observe({ method, route, status: String(status) }, seconds);
    },
    watchQueue(count) {
      countOperations = count;
    },
    watchFindings(count) {
      countFindings = count;
    },
  };
}
