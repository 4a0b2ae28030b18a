const TONE: Readonly<Record<string, string>> = {
  active: 'ok',
  succeeded: 'ok',
  pending: 'info',
  queued: 'info',
  running: 'info',
  waiting: 'info',
  suspended: 'warn',
  failed: 'bad',
  terminated: 'muted',
  cancelled: 'muted',
  enabled: 'ok',
  disabled: 'muted',
};

/** A status as a word with a colour; the word carries the meaning, the colour only helps. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${TONE[status] ?? 'muted'}`}>{status}</span>;
}
