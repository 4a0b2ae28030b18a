import { ownershipMark, serviceIdOfMark } from '../contract.js';

/**
 * Which service an account belongs to (docs/specs/storegrid.md §5). The mark lives in the
 * account's notes, a console field of resellers (S3) that signup and EditAccount carry (§4.4):
 * one line `provisio-service-<id>`. A signup writes the notes as that line alone; adopt appends
 * it under what staff wrote, so their text stays. Accounts made by provisio before the common
 * mark carry `provisio:service:<id>`; that line counts as the same mark.
 */
const LEGACY_MARK = /^provisio:service:([1-9][0-9]{0,15})$/;

/** Every service id the notes mark the account for (normally none or one). */
export function marksIn(notes: string): number[] {
  const ids = new Set<number>();
  for (const line of notes.split(/\r?\n/)) {
    const text = line.trim();
    const id = serviceIdOfMark(text) ?? (LEGACY_MARK.test(text) ? Number(LEGACY_MARK.exec(text)![1]) : null);
    if (id !== null) ids.add(id);
  }
  return [...ids];
}

/** The one service the account is marked for; null when unmarked or marked for several. */
export function markedServiceId(notes: string): number | null {
  const marks = marksIn(notes);
  return marks.length === 1 ? marks[0]! : null;
}

export function isMarkedFor(notes: string, serviceId: number): boolean {
  return markedServiceId(notes) === serviceId;
}

/** The notes with this service's mark appended on a line of its own. */
export function notesWithMark(notes: string, serviceId: number): string {
  const mark = ownershipMark(serviceId);
  return notes.trim() === '' ? mark : `${notes.replace(/\s+$/, '')}\n${mark}`;
}
