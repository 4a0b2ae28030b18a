import { GUESSED } from './guesses.js';
import type { AccountState } from './state.js';

/**
 * Reply layouts (docs/specs/axigen.md §6): LIST tables have five lines before the first row (the
 * 4th the column header, the 5th dashes) and one blank line after the last [V: S2 `[5:-3]`, S5
 * finds the dashed line]; SHOW has two header lines, `key = value` lines and a blank line [V: S2
 * `[2:-3]`]; SHOW ATTR puts `key = value` on line 0 [V: S2 `get_show(param)`]. The texts of the
 * header lines are GUESSED.
 */
function pad(cells: readonly string[]): string {
  return cells
    .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(GUESSED.lists.columnWidth)))
    .join('')
    .trimEnd();
}

export function tableLines(spec: { title: string; columns: string[] }, rows: readonly string[][]): string[] {
  const header = pad(spec.columns);
  return ['', spec.title, '', header, '-'.repeat(Math.max(60, header.length)), ...rows.map(pad), ''];
}

/** LIST Aliases: two lines before the names, a blank line after [V: S2 `[2:-3]`, S5's title line]. */
export function aliasLines(title: string, aliases: readonly string[]): string[] {
  return ['', title, ...aliases, ''];
}

export function showLines(rows: ReadonlyArray<readonly [string, string]>): string[] {
  return ['', GUESSED.showTitle, ...rows.map(([key, value]) => `${key} = ${value}`), ''];
}

export function showAttrLines(
  rows: ReadonlyArray<readonly [string, string]>,
  key: string,
): string[] | undefined {
  const found = rows.find(([name]) => name.toLowerCase() === key.toLowerCase());
  return found ? [`${found[0]} = ${found[1]}`, ''] : undefined;
}

function rfc2822(epochMs: number): string {
  return new Date(epochMs).toUTCString().replace(/GMT$/, '+0000');
}

/**
 * SHOW RegistryInformation of an account: the keys S2 reads (list-accounts.py, last-login.py),
 * dates as `Wed, 01 Mar 2017 15:37:14 +0200` [V: S2 drops the last token and parses the rest].
 */
export function registryLines(account: AccountState): string[] {
  const registry = account.registry;
  const created = rfc2822(registry.createdAt);
  const lines = [
    `Internal ID = ${registry.internalId}`,
    `Creation Date = ${created}`,
    `Modification Date = ${created}`,
  ];
  for (const protocol of ['POP3', 'IMAP', 'WebMail', 'Active Sync', 'OLK']) {
    lines.push(
      `${protocol} Last Login Date = ${GUESSED.neverDate}`,
      `${protocol} Last Login IP = ${GUESSED.neverIp}`,
    );
  }
  lines.push(
    `Internal Mbox Container ID = ${registry.internalId}`,
    'Configuration Version = 1',
    'Mbox Storage Version = 1',
    'Associated LDAP ID = ',
    'Associated LDAP DN = ',
    'Configuration Status = ok',
    `Mbox size = ${registry.mboxSizeKb}`,
    `Mbox message count = ${registry.messageCount}`,
    `Mbox folder count = ${registry.folderCount}`,
    'Mbox Storage Status = ok',
  );
  return ['', GUESSED.registryTitle, ...lines, ''];
}
