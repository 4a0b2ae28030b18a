import {
  paginate,
  presentAllocation,
  presentEgg,
  presentLocation,
  presentNest,
  presentNode,
} from './present.js';
import { ilike, type Route, type RouteContext, readPagination } from './router.js';
import { freeAllocations } from './state.js';
import { ApiError, isUuid } from './validation.js';

/** Catalog reads used by integrations (spec §4). */
function byCreated<T extends { created: string }>(items: Iterable<T>): T[] {
  return [...items].sort((a, b) => a.created.localeCompare(b.created));
}

function nodeFrom(ctx: RouteContext) {
  const id = ctx.params.node ?? '';
  if (!isUuid(id)) throw new ApiError(400, ['invalid node uuid']);
  const node = ctx.state.nodes.get(id);
  if (!node) throw new ApiError(404, ['node not found']);
  return node;
}

function nestFrom(ctx: RouteContext) {
  const id = ctx.params.nest ?? '';
  if (!isUuid(id)) throw new ApiError(400, ['invalid nest id']);
  const nest = ctx.state.nests.get(id);
  if (!nest) throw new ApiError(404, ['nest not found']);
  return nest;
}

export const catalogRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/api/admin/locations',
    handle(ctx) {
      const page = readPagination(ctx.query);
      ctx.requirePermission('locations.read');
      const rows = byCreated(ctx.state.locations.values()).filter(
        (l) => !page.search || ilike(l.name, page.search),
      );
      return { body: { locations: paginate(rows.map(presentLocation), page.page, page.perPage) } };
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/locations/:location/nodes',
    handle(ctx) {
      ctx.requirePermission('locations.read');
      const id = ctx.params.location ?? '';
      if (!isUuid(id)) throw new ApiError(400, ['invalid location uuid']);
      if (!ctx.state.locations.has(id)) throw new ApiError(404, ['location not found']);
      const page = readPagination(ctx.query);
      ctx.requirePermission('nodes.read');
      const rows = byCreated(ctx.state.nodes.values()).filter((n) => n.location_uuid === id);
      return {
        body: {
          nodes: paginate(
            rows.map((n) => presentNode(ctx.state, n)),
            page.page,
            page.perPage,
          ),
        },
      };
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/nodes',
    handle(ctx) {
      const page = readPagination(ctx.query);
      ctx.requirePermission('nodes.read');
      const rows = byCreated(ctx.state.nodes.values()).filter(
        (n) => !page.search || ilike(n.name, page.search),
      );
      return {
        body: {
          nodes: paginate(
            rows.map((n) => presentNode(ctx.state, n)),
            page.page,
            page.perPage,
          ),
        },
      };
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/nodes/:node/allocations/available',
    handle(ctx) {
      ctx.requirePermission('nodes.read');
      const node = nodeFrom(ctx);
      const page = readPagination(ctx.query);
      ctx.requirePermission('nodes.allocations');
      const rows = freeAllocations(ctx.state, node.uuid).filter(
        (a) => !page.search || ilike(`${a.ip}:${a.port}`, page.search),
      );
      return { body: { allocations: paginate(rows.map(presentAllocation), page.page, page.perPage) } };
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/nests',
    handle(ctx) {
      const page = readPagination(ctx.query);
      ctx.requirePermission('nests.read');
      const rows = byCreated(ctx.state.nests.values()).filter(
        (n) => !page.search || ilike(n.name, page.search),
      );
      return { body: { nests: paginate(rows.map(presentNest), page.page, page.perPage) } };
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/nests/:nest/eggs',
    handle(ctx) {
      ctx.requirePermission('nests.read');
      const nest = nestFrom(ctx);
      const page = readPagination(ctx.query);
      ctx.requirePermission('eggs.read');
      const rows = byCreated(ctx.state.eggs.values()).filter((e) => e.nest_uuid === nest.uuid);
      return { body: { eggs: paginate(rows.map(presentEgg), page.page, page.perPage) } };
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/nests/:nest/eggs/:egg',
    handle(ctx) {
      ctx.requirePermission('nests.read');
      const nest = nestFrom(ctx);
      ctx.requirePermission('eggs.read');
      const id = ctx.params.egg ?? '';
      if (!isUuid(id)) throw new ApiError(400, ['invalid egg id']);
      const egg = ctx.state.eggs.get(id);
      if (!egg || egg.nest_uuid !== nest.uuid) throw new ApiError(404, ['egg not found']);
      return { body: { egg: presentEgg(egg) } };
    },
  },
];
