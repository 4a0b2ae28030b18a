/**
 * What the `uuid` crate says about text it cannot parse (the panel's payload error quotes it,
 * docs/specs/calagopus.md §2.2): the first character that is not hex, `-` or part of a braced or
 * `urn:uuid:` form, else the length or the grouping. Positions are 1-based, as the crate prints them.
 */
const HYPHENATED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SIMPLE = /^[0-9a-f]{32}$/i;
const GROUP_STARTS = [0, 9, 14, 19, 24];
const GROUP_LENGTHS = [8, 4, 4, 4, 12];

export function uuidProblem(text: string): string | undefined {
  let body = text;
  let offset = 0;
  let simple = true;
  if (text.startsWith('{') && text.endsWith('}') && text.length >= 2) {
    body = text.slice(1, -1);
    offset = 1;
    simple = false;
  } else if (text.startsWith('urn:uuid:')) {
    body = text.slice('urn:uuid:'.length);
    offset = 'urn:uuid:'.length;
    simple = false;
  }
  if (HYPHENATED.test(body) || (simple && SIMPLE.test(body))) return undefined;
  const hyphens: number[] = [];
  for (const [index, character] of [...body].entries()) {
    if (character === '-') hyphens.push(index);
    else if (!/[0-9a-fA-F]/.test(character)) {
      return `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${character}\` at ${index + offset + 1}`;
    }
  }
  if (hyphens.length === 0 && simple)
    return `invalid length: expected length 32 for simple format, found ${text.length}`;
  if (hyphens.length !== 4) return `invalid group count: expected 5, found ${hyphens.length + 1}`;
  for (let group = 0; group < 4; group++) {
    const start = GROUP_STARTS[group] as number;
    if (hyphens[group] !== (GROUP_STARTS[group + 1] as number) - 1) {
      return `invalid group length in group ${group}: expected ${GROUP_LENGTHS[group]}, found ${(hyphens[group] as number) - start}`;
    }
  }
  return `invalid group length in group 4: expected 12, found ${body.length - (GROUP_STARTS[4] as number)}`;
}
