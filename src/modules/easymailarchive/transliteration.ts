/**
 * Letters that Unicode decomposition (NFKD) does not reduce to ASCII. Accented Latin letters
 * (é, ü, ñ, ç) need no entry: NFKD splits them into a base letter and a mark that is dropped.
 * Cyrillic and Greek follow the common passport-style romanisation, enough for readable slugs;
 * scripts without an entry (CJK, Arabic, …) are dropped and the slug falls back to another source.
 */

/** `letter=ascii` pairs, space separated; an empty right side drops the letter (Cyrillic signs). */
function table(pairs: string): Record<string, string> {
  return Object.fromEntries(pairs.split(' ').map((pair) => pair.split('=') as [string, string]));
}

const LATIN = 'ß=ss æ=ae œ=oe ø=o å=a ð=d đ=d þ=th ł=l ı=i ħ=h ŋ=ng ŧ=t';
const CYRILLIC =
  'а=a б=b в=v г=g д=d е=e ё=e ж=zh з=z и=i й=y к=k л=l м=m н=n о=o п=p р=r с=s т=t у=u ф=f ' +
  'х=kh ц=ts ч=ch ш=sh щ=shch ъ= ы=y ь= э=e ю=yu я=ya є=ye і=i ї=yi ґ=g ў=u ј=j љ=lj њ=nj ћ=c џ=dz ђ=dj';
const GREEK =
  'α=a β=v γ=g δ=d ε=e ζ=z η=i θ=th ι=i κ=k λ=l μ=m ν=n ξ=x ο=o π=p ρ=r σ=s ς=s τ=t υ=y φ=f χ=ch ψ=ps ω=o';

const TABLE: Readonly<Record<string, string>> = table(`${LATIN} ${CYRILLIC} ${GREEK}`);

/** Lowercase ASCII rendering of `text`; characters with no rendering become spaces. */
export function transliterate(text: string): string {
  let out = '';
  for (const char of text.toLowerCase()) {
    const mapped = TABLE[char];
    if (mapped !== undefined) {
      out += mapped;
      continue;
    }
    const decomposed = char.normalize('NFKD').replace(/\p{M}/gu, '');
    // Decomposition may yield mapped letters again (e.g. Cyrillic й → и + breve).
    out += [...decomposed].map((c) => TABLE[c] ?? (/^[\x20-\x7e]$/.test(c) ? c : ' ')).join('');
  }
  return out;
}
