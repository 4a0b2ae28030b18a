import { FILL_TYPES, type FillType } from '../../core/fill-types.js';
import type { Db } from '../database.js';

export { FILL_TYPES, type FillType };

export interface ServerGroupRecord {
  id: number;
  name: string;
  fillType: FillType;
  lastServerId: number | null;
  members: { serverId: number; priority: number }[];
}

export async function insertServerGroup(
  db: Db,
  input: { name: string; fillType: FillType; members?: { serverId: number; priority?: number }[] },
  now: number,
): Promise<ServerGroupRecord> {
  const row = await db
    .insertInto('server_groups')
    .values({ name: input.name, fill_type: input.fillType, last_server_id: null, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const member of input.members ?? [])
    await addServerGroupMember(db, row.id, member.serverId, member.priority ?? 0);
  return (await getServerGroup(db, row.id))!;
}

export async function addServerGroupMember(
  db: Db,
  groupId: number,
  serverId: number,
  priority = 0,
): Promise<void> {
  await db
    .insertInto('server_group_members')
    .values({ group_id: groupId, server_id: serverId, priority })
    .execute();
}

export async function removeServerGroupMember(db: Db, groupId: number, serverId: number): Promise<void> {
  await db
    .deleteFrom('server_group_members')
    .where('group_id', '=', groupId)
    .where('server_id', '=', serverId)
    .execute();
}

export async function getServerGroup(db: Db, id: number): Promise<ServerGroupRecord | undefined> {
  const row = await db.selectFrom('server_groups').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const members = await db
    .selectFrom('server_group_members')
    .select(['server_id', 'priority'])
    .where('group_id', '=', id)
    .orderBy('priority')
    .orderBy('server_id')
    .execute();
  return {
    id: row.id,
    name: row.name,
    fillType: row.fill_type as FillType,
    lastServerId: row.last_server_id,
    members: members.map((m) => ({ serverId: m.server_id, priority: m.priority })),
  };
}

export async function listServerGroups(db: Db): Promise<ServerGroupRecord[]> {
  const rows = await db.selectFrom('server_groups').select('id').orderBy('id').execute();
  const groups = await Promise.all(rows.map((row) => getServerGroup(db, row.id)));
  return groups.filter((g): g is ServerGroupRecord => g !== undefined);
}

export async function setRoundRobinCursor(db: Db, groupId: number, serverId: number): Promise<void> {
  await db.updateTable('server_groups').set({ last_server_id: serverId }).where('id', '=', groupId).execute();
}

export async function updateServerGroup(
  db: Db,
  id: number,
  patch: { name?: string; fillType?: FillType },
): Promise<void> {
  if (patch.name === undefined && patch.fillType === undefined) return;
  await db
    .updateTable('server_groups')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.fillType !== undefined ? { fill_type: patch.fillType } : {}),
    })
    .where('id', '=', id)
    .execute();
}
