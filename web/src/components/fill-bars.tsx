import type { GroupFill } from '../api/types';
import { Link } from '../router';
import { StatusBadge } from './status-badge';

/** Server fill per group: one bar per server, services placed against its limit. */
export function FillBars({ groups }: { groups: readonly GroupFill[] }) {
  if (groups.length === 0) return <p className="muted">No servers yet.</p>;
  return (
    <div className="fill-groups">
      {groups.map((group) => (
        <section
          key={group.groupId ?? 'none'}
          aria-label={`Server group ${group.name}`}
          className="fill-group"
        >
          <h3>
            {group.name} {group.fillType ? <span className="muted">({group.fillType})</span> : null}
          </h3>
          {group.servers.length === 0 ? <p className="muted">No servers in this group.</p> : null}
          <ul className="fill-list">
            {group.servers.map((server) => {
              const percent = server.fill === null ? null : Math.round(server.fill * 100);
              return (
                <li key={server.serverId}>
                  <Link to={`/servers/${server.serverId}`}>{server.name}</Link>
                  {server.enabled ? null : <StatusBadge status="disabled" />}
                  <meter
                    min={0}
                    max={server.maxAccounts ?? Math.max(1, server.services)}
                    value={server.services}
                    low={(server.maxAccounts ?? 0) * 0.7}
                    high={(server.maxAccounts ?? 0) * 0.9}
                    aria-label={`${server.name} fill`}
                  />
                  <span className="fill-figure">
                    {server.services}
                    {server.maxAccounts ? ` / ${server.maxAccounts} (${percent}%)` : ' (no limit)'}
                  </span>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </div>
  );
}
