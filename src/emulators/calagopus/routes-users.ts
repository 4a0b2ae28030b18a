import { LANGUAGES } from './guesses.js';
import { readStruct } from './payload.js';
import { paginate, presentUser } from './present.js';
import { ilike, type Route, type RouteContext, readPagination } from './router.js';
import { newUuid, nextCreated, type PanelState, type PanelUser } from './state.js';
import {
  ApiError,
  checkEmail,
  checkLength,
  checkPattern,
  isUuid,
  type Json,
  modelValidationError,
} from './validation.js';

/** Users (spec §3). Create and patch validate at model level: double-encoded 400s. */
const USERNAME = /^[a-zA-Z0-9_]+$/;

function userFrom(ctx: RouteContext): PanelUser {
  ctx.requirePermission('users.read');
  const id = ctx.params.user ?? '';
  if (!isUuid(id)) throw new ApiError(400, ['invalid user uuid']);
  const user = ctx.state.users.get(id);
  if (!user) throw new ApiError(404, ['user not found']);
  return user;
}

/** Unique on lower(username), lower(email), external_id (NULLs allowed). */
function clashes(state: PanelState, candidate: Partial<PanelUser>, except?: string): boolean {
  for (const user of state.users.values()) {
    if (user.uuid === except) continue;
    if (candidate.username !== undefined && user.username.toLowerCase() === candidate.username.toLowerCase())
      return true;
    if (candidate.email !== undefined && user.email.toLowerCase() === candidate.email.toLowerCase())
      return true;
    if (candidate.external_id != null && user.external_id === candidate.external_id) return true;
  }
  return false;
}

function validateUserFields(body: Json, errors: string[], passwordMin: number): void {
  if (body.username !== undefined) {
    checkLength(errors, 'username', body.username, 3, 15);
    checkPattern(errors, 'username', body.username, USERNAME);
  }
  if (body.email !== undefined) checkEmail(errors, 'email', body.email);
  checkLength(errors, 'name_first', body.name_first, 1, 255);
  checkLength(errors, 'name_last', body.name_last, 1, 255);
  checkLength(errors, 'language', body.language, 2, 15);
  checkLength(errors, 'external_id', body.external_id, 1, 255);
  checkLength(errors, 'password', body.password, passwordMin, 512);
}

export const userRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/api/admin/users',
    handle(ctx) {
      const page = readPagination(ctx.query);
      ctx.requirePermission('users.read');
      const rows = [...ctx.state.users.values()]
        .sort((a, b) => a.created.localeCompare(b.created))
        .filter((u) => !page.search || ilike(u.username, page.search) || ilike(u.email, page.search));
      return { body: { users: paginate(rows.map(presentUser), page.page, page.perPage) } };
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/users/external/:external',
    handle(ctx) {
      ctx.requirePermission('users.read');
      const user = [...ctx.state.users.values()].find((u) => u.external_id === ctx.params.external);
      if (!user) throw new ApiError(404, ['user not found']);
      return { body: { user: presentUser(user) } };
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/users/:user',
    handle(ctx) {
      return { body: { user: presentUser(userFrom(ctx)) } };
    },
  },
  {
    method: 'POST',
    pattern: '/api/admin/users',
    handle(ctx) {
      const payload = ctx.body();
      readStruct(payload, {
        role_uuid: 'uuid?',
        external_id: 'string?',
        username: 'string',
        email: 'string',
        name_first: 'string',
        name_last: 'string',
        password: 'string?',
        admin: 'bool',
        frozen: 'bool?',
        suspended: 'bool?',
        language: 'string',
        send_email: 'bool?',
      });
      const body = payload.value;
      ctx.requirePermission('users.create');
      if (body.admin === true && !ctx.caller.admin)
        throw new ApiError(403, ['you cannot grant admin status']);
      if (body.role_uuid != null) {
        if (!ctx.caller.admin) throw new ApiError(403, ['you cannot assign roles']);
        throw new ApiError(400, ['invalid relation `role` provided']);
      }
      const errors: string[] = [];
      validateUserFields(body, errors, 1);
      if (errors.length) throw modelValidationError(errors);
      if (!LANGUAGES.includes(body.language as string))
        throw new ApiError(400, [`invalid language: ${body.language}`]);
      const candidate = {
        username: body.username as string,
        email: body.email as string,
        external_id: (body.external_id as string | undefined) ?? null,
      };
      if (clashes(ctx.state, candidate)) throw new ApiError(409, ['user with email/username already exists']);
      const user: PanelUser = {
        uuid: newUuid(),
        ...candidate,
        name_first: body.name_first as string,
        name_last: body.name_last as string,
        admin: body.admin as boolean,
        frozen: body.frozen === true,
        suspended: body.suspended === true,
        totp_enabled: false,
        require_two_factor: false,
        language: body.language as string,
        password: typeof body.password === 'string' ? body.password : null,
        role_permissions: [],
        created: nextCreated(),
      };
      ctx.state.users.set(user.uuid, user);
      return { body: { user: presentUser(user) } };
    },
  },
  {
    method: 'PATCH',
    pattern: '/api/admin/users/:user',
    handle(ctx) {
      const user = userFrom(ctx);
      const payload = ctx.body();
      readStruct(payload, {
        role_uuid: 'uuid?',
        external_id: 'string?',
        username: 'string?',
        email: 'string?',
        name_first: 'string?',
        name_last: 'string?',
        password: 'string?',
        admin: 'bool?',
        frozen: 'bool?',
        suspended: 'bool?',
        language: 'string?',
      });
      const body = payload.value;
      ctx.requirePermission('users.update');
      const errors: string[] = [];
      validateUserFields(body, errors, 8);
      if (errors.length) throw modelValidationError(errors);
      const candidate: Partial<PanelUser> = {};
      if (typeof body.username === 'string') candidate.username = body.username;
      if (typeof body.email === 'string') candidate.email = body.email;
      if (typeof body.external_id === 'string') candidate.external_id = body.external_id;
      if (clashes(ctx.state, candidate, user.uuid))
        throw new ApiError(409, ['user with email/username/external_id already exists']);
      Object.assign(user, candidate);
      if ('external_id' in body && body.external_id === null) user.external_id = null;
      if (typeof body.name_first === 'string') user.name_first = body.name_first;
      if (typeof body.name_last === 'string') user.name_last = body.name_last;
      if (typeof body.suspended === 'boolean') user.suspended = body.suspended;
      if (typeof body.password === 'string') user.password = body.password;
      return { body: {} };
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/admin/users/:user',
    handle(ctx) {
      const user = userFrom(ctx);
      ctx.requirePermission('users.delete');
      if ([...ctx.state.servers.values()].some((s) => s.owner_uuid === user.uuid)) {
        throw new ApiError(400, ['user has servers, cannot delete']);
      }
      ctx.state.users.delete(user.uuid);
      return { body: {} };
    },
  },
];
