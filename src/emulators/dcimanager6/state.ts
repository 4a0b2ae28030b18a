import { GUESSES } from './guesses.js';

/**
 * The emulator's in-memory DCImanager: servers, users, pools and addresses, templates, locations
 * and operations. Operations advance on a clock the caller gives (the engine's ManualClock in
 * tests): their status is worked out from the time whenever a server is read.
 */
export type OperationKind = 'os_install' | 'diag';

/** A switch connection as the server object shows it (spec §5.1). */
export interface EmuSwitchPort {
  id: number;
  switch: number;
  description: string;
  admin_status: 'up' | 'down';
  oper_status: 'up' | 'down';
  is_ipmi_connection: boolean;
}

export interface EmuTemplate {
  id: number;
  name: string;
  /** `os`, `diag` or `recovery` (spec §5.6). */
  type: string;
}

/** An address as the server object shows it (spec §5.1). */
export interface WireIp {
  id: number;
  name: string;
  family: 'ipv4' | 'ipv6';
  gateway: string | undefined;
  network: string | undefined;
  status: string;
  is_temporary?: boolean;
}

/** A server as `GET dci/v3/server` shows it (spec §5.1). */
export interface WireServer {
  id: number;
  domain: string;
  configuration: string;
  location_id: number | null;
  owner: number | null;
  owner_email: string | null;
  comment: string;
  is_new: boolean;
  maintenance_mode: boolean;
  power_status: 'on' | 'off';
  operation: {
    id: number;
    status: string;
    status_info: Record<string, unknown>;
    progress_info: Record<string, unknown>[];
  } | null;
  os_template: { id: number; name: string } | null;
  ip: WireIp[];
  switch_connection: EmuSwitchPort[];
}
export type ForcedOutcome = 'ok' | 'failed' | 'hang';

export interface EmuOperation {
  id: number;
  serverId: number;
  kind: OperationKind;
  status: string;
  startedAt: number;
  durationMs: number;
  outcome: ForcedOutcome;
  message: string;
  /** The request body that started it (template, clean_disks, …). */
  params: Record<string, unknown>;
  /** Address lent for the operation (diagnostics), returned when it ends. */
  lentIpId?: number;
}

export interface EmuServer {
  id: number;
  configuration: string;
  location_id: number | null;
  domain: string;
  owner: number | null;
  is_new: boolean;
  maintenance_mode: boolean;
  power_status: 'on' | 'off';
  operationId: number | null;
  os_template: { id: number; name: string } | null;
  /** Free text staff (or a module's mark, spec §13) write on the server. [?] */
  comment: string;
  switch_connection: EmuSwitchPort[];
}

export interface EmuUser {
  id: number;
  email: string;
  password: string;
  roles: string[];
  full_name: string;
}

export interface EmuPool {
  id: number;
  name: string;
  /** IPv4 range as `a.b.c.` + first..last host numbers. */
  ipv4?: { prefix: string; first: number; last: number; gateway: string; network: string };
  /** IPv6 base (a /48 written as three groups, e.g. `2001:db8:100`). */
  ipv6?: { base: string };
}

export interface EmuIp extends WireIp {
  serverId: number | null;
  poolId: number;
}

export interface EmuLocation {
  id: number;
  name: string;
}

export interface OutcomeOrder {
  outcome: ForcedOutcome;
  message?: string;
}

export class Dci6State {
  servers = new Map<number, EmuServer>();
  users = new Map<number, EmuUser>();
  pools = new Map<number, EmuPool>();
  ips = new Map<number, EmuIp>();
  templates = new Map<number, EmuTemplate>();
  locations = new Map<number, EmuLocation>();
  operations = new Map<number, EmuOperation>();
  durations: Record<OperationKind, number> = { ...GUESSES.durationMs };
  /** Outcomes to give the next operations of a kind, in order (tests and the control API). */
  forced: Record<OperationKind, OutcomeOrder[]> = { os_install: [], diag: [] };
  private nextIds = {
    user: 100,
    ip: 1000,
    operation: 5000,
    port: 9000,
    server: 1000,
    template: 100,
    pool: 100,
    location: 100,
  };

  constructor(readonly now: () => number) {}

  nextId(kind: keyof Dci6State['nextIds']): number {
    return ++this.nextIds[kind];
  }

  /** Ids given by a seed or fixture move the counter on, so generated ids never collide. */
  useId(kind: keyof Dci6State['nextIds'], id: number | undefined): number {
    if (id === undefined) return this.nextId(kind);
    this.nextIds[kind] = Math.max(this.nextIds[kind], id);
    return id;
  }

  // ---------------------------------------------------------------- servers

  addServer(input: Partial<EmuServer> & { configuration: string; ports?: number }): EmuServer {
    const id = this.useId('server', input.id);
    const ports = input.ports ?? 2;
    const switchConnections: EmuSwitchPort[] = [];
    for (let n = 0; n < ports; n++) {
      switchConnections.push({
        id: this.nextId('port'),
        switch: 18,
        description: `GigabitEthernet1/0/${n + 1}`,
        admin_status: 'down',
        oper_status: 'down',
        is_ipmi_connection: false,
      });
    }
    switchConnections.push({
      id: this.nextId('port'),
      switch: 19,
      description: 'IPMI',
      admin_status: 'up',
      oper_status: 'up',
      is_ipmi_connection: true,
    });
    const server: EmuServer = {
      id,
      configuration: input.configuration,
      location_id: input.location_id ?? 1,
      domain: input.domain ?? `srv${id}.example.net`,
      owner: input.owner ?? null,
      is_new: input.is_new ?? false,
      maintenance_mode: input.maintenance_mode ?? false,
      power_status: input.power_status ?? 'off',
      operationId: null,
      os_template: input.os_template ?? null,
      comment: input.comment ?? '',
      switch_connection: input.switch_connection ?? switchConnections,
    };
    this.servers.set(id, server);
    const finished: EmuOperation = {
      id: this.nextId('operation'),
      serverId: id,
      kind: 'diag',
      status: GUESSES.status.ok,
      startedAt: this.now(),
      durationMs: 0,
      outcome: 'ok',
      message: '',
      params: {},
    };
    this.operations.set(finished.id, finished);
    server.operationId = finished.id;
    return server;
  }

  ownerEmail(server: EmuServer): string | null {
    return server.owner === null ? null : (this.users.get(server.owner)?.email ?? null);
  }

  /** A server as `GET dci/v3/server` shows it (spec §5.1). */
  wireServer(server: EmuServer): WireServer {
    const operation = server.operationId === null ? undefined : this.operation(server.operationId);
    return {
      id: server.id,
      domain: server.domain,
      configuration: server.configuration,
      location_id: server.location_id,
      owner: server.owner,
      owner_email: this.ownerEmail(server),
      comment: server.comment,
      is_new: server.is_new,
      maintenance_mode: server.maintenance_mode,
      power_status: server.power_status,
      operation: operation
        ? {
            id: operation.id,
            status: operation.status,
            status_info: operation.message ? { msg: operation.message } : {},
            progress_info: [{ name: operation.kind, percent: this.percent(operation) }],
          }
        : null,
      os_template: server.os_template,
      ip: [...this.ips.values()]
        .filter((ip) => ip.serverId === server.id)
        .map(({ serverId: _s, poolId: _p, ...ip }) => ip),
      switch_connection: server.switch_connection.map((port) => ({ ...port })),
    };
  }

  wireServers(): WireServer[] {
    return [...this.servers.values()].map((server) => this.wireServer(server));
  }

  isFree(server: EmuServer): boolean {
    const operation = server.operationId === null ? undefined : this.operation(server.operationId);
    const done =
      !operation || operation.status === GUESSES.status.ok || operation.status === GUESSES.status.canceled;
    return server.owner === null && !server.is_new && !server.maintenance_mode && done;
  }

  // ---------------------------------------------------------------- operations

  private percent(operation: EmuOperation): number {
    if (operation.status !== GUESSES.status.running) return 100;
    if (operation.durationMs <= 0) return 0;
    return Math.min(99, Math.floor(((this.now() - operation.startedAt) / operation.durationMs) * 100));
  }

  /** Reads an operation, first moving it on to where the clock says it is. */
  operation(id: number): EmuOperation | undefined {
    const operation = this.operations.get(id);
    if (
      operation &&
      operation.status === GUESSES.status.running &&
      operation.outcome !== 'hang' &&
      this.now() - operation.startedAt >= operation.durationMs
    ) {
      this.finish(operation, operation.outcome === 'ok' ? GUESSES.status.ok : GUESSES.status.failed);
    }
    return operation;
  }

  private finish(operation: EmuOperation, status: string): void {
    operation.status = status;
    const server = this.servers.get(operation.serverId);
    if (operation.lentIpId !== undefined) this.ips.delete(operation.lentIpId);
    if (!server || status !== GUESSES.status.ok) return;
    if (operation.kind === 'os_install') {
      const template = this.templates.get(Number(operation.params.template));
      server.os_template = template ? { id: template.id, name: template.name } : null;
      if (operation.params.domain) server.domain = String(operation.params.domain);
    } else {
      server.is_new = false;
      server.os_template = null;
    }
  }

  runningOperation(server: EmuServer): EmuOperation | undefined {
    const operation = server.operationId === null ? undefined : this.operation(server.operationId);
    return operation?.status === GUESSES.status.running ? operation : undefined;
  }

  startOperation(server: EmuServer, kind: OperationKind, params: Record<string, unknown>): EmuOperation {
    const order = this.forced[kind].shift();
    const outcome = order?.outcome ?? 'ok';
    const operation: EmuOperation = {
      id: this.nextId('operation'),
      serverId: server.id,
      kind,
      status: GUESSES.status.running,
      startedAt: this.now(),
      durationMs: this.durations[kind],
      outcome,
      message: outcome === 'failed' ? (order?.message ?? `${kind} failed on server ${server.id}`) : '',
      params,
    };
    this.operations.set(operation.id, operation);
    server.operationId = operation.id;
    return operation;
  }

  abort(server: EmuServer): boolean {
    const running = this.runningOperation(server);
    if (!running) return false;
    this.finish(running, GUESSES.status.canceled);
    return true;
  }

  operationsOf(serverId: number): EmuOperation[] {
    return [...this.operations.values()]
      .filter((operation) => operation.serverId === serverId)
      .map((operation) => this.operation(operation.id) as EmuOperation);
  }

  // ---------------------------------------------------------------- addresses

  /** Allocates the next free address of a pool; undefined when the pool is exhausted. */
  allocate(
    pool: EmuPool,
    family: 'ipv4' | 'ipv6',
    serverId: number,
    prefix?: number,
    temporary = false,
  ): EmuIp | undefined {
    const taken = new Set([...this.ips.values()].filter((ip) => ip.poolId === pool.id).map((ip) => ip.name));
    let name: string | undefined;
    let network: string | undefined;
    let gateway: string | undefined;
    if (family === 'ipv4' && pool.ipv4) {
      for (let host = pool.ipv4.first; host <= pool.ipv4.last && !name; host++) {
        const candidate = `${pool.ipv4.prefix}${host}`;
        if (!taken.has(candidate)) name = candidate;
      }
      network = pool.ipv4.network;
      gateway = pool.ipv4.gateway;
    } else if (family === 'ipv6' && pool.ipv6) {
      for (let n = 1; n < 0xffff && !name; n++) {
        const candidate =
          prefix === undefined
            ? `${pool.ipv6.base}::${n.toString(16)}`
            : `${pool.ipv6.base}:${n.toString(16)}::/${prefix}`;
        if (!taken.has(candidate)) name = candidate;
      }
      network = `${pool.ipv6.base}::/48`;
      gateway = `${pool.ipv6.base}::1`;
    }
    if (!name) return undefined;
    const ip: EmuIp = {
      id: this.nextId('ip'),
      name,
      family,
      gateway,
      network,
      status: 'allocated',
      serverId,
      poolId: pool.id,
      ...(temporary ? { is_temporary: true } : {}),
    };
    this.ips.set(ip.id, ip);
    return ip;
  }

  userByEmail(email: string): EmuUser | undefined {
    return [...this.users.values()].find((user) => user.email.toLowerCase() === email.toLowerCase());
  }

  addUser(input: {
    email: string;
    password: string;
    roles?: string[];
    full_name?: string;
    id?: number;
  }): EmuUser {
    const user: EmuUser = {
      id: this.useId('user', input.id),
      email: input.email,
      password: input.password,
      roles: input.roles ?? ['@user'],
      full_name: input.full_name ?? '',
    };
    this.users.set(user.id, user);
    return user;
  }

  wireUser(user: EmuUser): {
    id: number;
    email: string;
    roles: string[];
    server_count: number;
    full_name: string;
  } {
    const serverCount = [...this.servers.values()].filter((server) => server.owner === user.id).length;
    return {
      id: user.id,
      email: user.email,
      roles: [...user.roles],
      server_count: serverCount,
      full_name: user.full_name,
    };
  }
}
