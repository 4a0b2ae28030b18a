import { fail } from '../core/error-catalogue.js';
import * as groupsRepo from '../store/repositories/server-groups.js';
import * as serversRepo from '../store/repositories/servers.js';
import type { EngineScope } from './scope.js';
import { FieldErrors } from './validation.js';

export function createServerGroupsApi(scope: EngineScope) {
  const { db, store, clock, requireServer, requireGroup, nameTaken } = scope;

  /** The one check of a group's fields, for create and update. */
  async function checkGroup(candidate: { name: unknown; fillType: unknown }, ownId: number | null) {
    const errors = new FieldErrors();
    errors.text('name', candidate.name, { required: true, max: 100 });
    if (await nameTaken('server_groups', candidate.name, ownId))
      errors.add('name', `a server group named "${String(candidate.name)}" exists already`);
    if (!(groupsRepo.FILL_TYPES as readonly unknown[]).includes(candidate.fillType))
      errors.add('fillType', `fillType must be one of ${groupsRepo.FILL_TYPES.join(', ')}`);
    return errors;
  }

  return {
    async update(id: number, patch: { name?: string; fillType?: groupsRepo.FillType }) {
      const current = await requireGroup(id);
      (await checkGroup({ ...current, ...patch }, id)).throwIfAny('the server group was not changed');
      await groupsRepo.updateServerGroup(db, id, patch);
      return requireGroup(id);
    },
    async removeServer(groupId: number, serverId: number) {
      const group = await requireGroup(groupId);
      if (!group.members.some((m) => m.serverId === serverId)) {
        throw fail('server_group.member_not_found', `server ${serverId} is not in server group ${groupId}`);
      }
      await groupsRepo.removeServerGroupMember(db, groupId, serverId);
    },
    async create(input: { name: string; fillType: groupsRepo.FillType; serverIds?: number[] }) {
      const errors = await checkGroup(input, null);
      for (const id of input.serverIds ?? [])
        if (!(await serversRepo.getServer(db, id))) errors.add('serverIds', `server ${id} does not exist`);
      errors.throwIfAny('the server group was not created');
      return store.write((trx) =>
        groupsRepo.insertServerGroup(
          trx,
          {
            name: input.name,
            fillType: input.fillType,
            members: (input.serverIds ?? []).map((serverId, priority) => ({ serverId, priority })),
          },
          clock.now(),
        ),
      );
    },
    get: requireGroup,
    /** Only a group no product points at. */
    async delete(id: number) {
      await requireGroup(id);
      const row = await db
        .selectFrom('products')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('server_group_id', '=', id)
        .executeTakeFirst();
      const n = Number(row?.n ?? 0);
      if (n > 0) {
        throw fail(
          'server_group.in_use',
          `server group ${id} is used by ${n} product${n === 1 ? '' : 's'}: move them to another group first`,
        );
      }
      await db.deleteFrom('server_groups').where('id', '=', id).execute();
    },
    list: () => groupsRepo.listServerGroups(db),
    async addServer(groupId: number, serverId: number, priority = 0) {
      const group = await requireGroup(groupId);
      if (group.members.some((m) => m.serverId === serverId)) {
        throw fail('server_group.member_exists', `server ${serverId} is already in server group ${groupId}`);
      }
      await requireServer(serverId);
      await groupsRepo.addServerGroupMember(db, groupId, serverId, priority);
    },
  };
}

/** The server groups part of the engine facade. */
export type ServerGroupsApi = ReturnType<typeof createServerGroupsApi>;
