import { domainToASCII, domainToUnicode } from 'node:url';
import { transliterate } from './transliteration.js';

/**
 * Tenant slugs (spec §4, §7): 3–48 characters of `a-z`, `0-9` and `-`, starting with a letter and
 * not ending with a hyphen; globally unique across every reseller and immutable once created.
 * Everything here is pure so that an action replayed after a crash derives the same slug again.
 */
export const SLUG_MIN_LENGTH = 3;
export const SLUG_MAX_LENGTH = 48;
/** How many candidates (`base`, `base-2`, … `base-N`) an auto-generated slug tries on conflicts. */
export const MAX_SLUG_CANDIDATES = 20;

/** Why `slug` breaks the vendor's rules, or undefined when it is valid. */
export function slugRuleViolation(slug: string): string | undefined {
  if (slug.length < SLUG_MIN_LENGTH || slug.length > SLUG_MAX_LENGTH) {
    return `must be ${SLUG_MIN_LENGTH}–${SLUG_MAX_LENGTH} characters long (it has ${slug.length})`;
  }
  if (!/^[a-z0-9-]+$/.test(slug)) return 'may contain only lowercase letters a-z, digits and hyphens';
  if (!/^[a-z]/.test(slug)) return 'must start with a letter';
  if (slug.endsWith('-')) return 'must not end with a hyphen';
  return undefined;
}

/** Free text (a company name) as hyphen-separated lowercase ASCII words; '' when nothing usable. */
export function slugifyText(text: string): string {
  const spelled = text
    .normalize('NFC')
    .replace(/&/g, ' and ')
    .replace(/\+/g, ' plus ')
    // Apostrophes join words ("O'Brien's" → "obriens") instead of splitting them.
    .replace(/['’ʼ`´]/g, '');
  return transliterate(spelled)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Second-level labels under a country TLD that say nothing about the customer (acme.co.uk). */
const GENERIC_SECOND_LEVEL = new Set([
  'co',
  'com',
  'net',
  'org',
  'gov',
  'edu',
  'ac',
  'ltd',
  'plc',
  'or',
  'ne',
  'gv',
]);

/** The meaningful labels of a domain: no `www`, no TLD, no generic second level. */
function meaningfulLabels(domain: string): string[] {
  const labels = domain.trim().toLowerCase().replace(/\.+$/, '').split('.').filter(Boolean);
  if (labels[0] === 'www' && labels.length > 2) labels.shift();
  if (labels.length > 1) labels.pop();
  if (labels.length > 1 && GENERIC_SECOND_LEVEL.has(labels[labels.length - 1]!)) labels.pop();
  return labels;
}

/**
 * A domain (ASCII, punycode or Unicode) as slug text: `www.shop.acme.co.uk` → `shop-acme`,
 * `xn--mnchen-3ya.de` → `munchen`. A label in a script we cannot transliterate (例え.jp) keeps its
 * punycode form, which is still a unique, valid slug.
 */
export function slugifyDomain(domain: string): string {
  const trimmed = domain.trim().toLowerCase();
  const ascii = meaningfulLabels(domainToASCII(trimmed) || trimmed);
  const unicode = meaningfulLabels(domainToUnicode(trimmed) || trimmed);
  const labels = ascii.map((label, index) => {
    const readable = slugifyText(unicode[index] ?? label);
    return readable !== '' ? readable : slugifyText(label);
  });
  return labels.filter(Boolean).join('-');
}

/** Cuts `slug` to `max` characters, at a word boundary when one is close, without a trailing hyphen. */
function truncateSlug(slug: string, max: number, keep: number): string {
  if (slug.length <= max) return slug;
  let cut = slug.slice(0, max);
  const lastHyphen = cut.lastIndexOf('-');
  // Prefer whole words unless that throws away more than a quarter of the room.
  if (slug[max] !== '-' && lastHyphen > Math.max(keep, Math.floor(max * 0.75)))
    cut = cut.slice(0, lastHyphen);
  return cut.replace(/-+$/, '');
}

/** `prefix + text` made valid, or undefined when no valid slug comes out of it. */
export function composeSlug(prefix: string, text: string): string | undefined {
  if (text === '') return undefined;
  const joined = `${prefix}${text}`.replace(/^[^a-z]+/, '');
  const slug = truncateSlug(joined, SLUG_MAX_LENGTH, prefix.length);
  return slugRuleViolation(slug) === undefined ? slug : undefined;
}

export interface SlugSources {
  prefix: string;
  /** Which source is tried first; the other one is the fallback. */
  preferred: 'domain' | 'company';
  domain: string | null;
  company: string;
  /** Last resort, deterministic per service: `tenant-<service id>`. */
  serviceId: number;
}

/** The auto-generated slug for a service (before any conflict suffix). */
export function generateSlug(sources: SlugSources): string {
  const fromDomain = sources.domain ? slugifyDomain(sources.domain) : '';
  const fromCompany = slugifyText(sources.company);
  const ordered = sources.preferred === 'domain' ? [fromDomain, fromCompany] : [fromCompany, fromDomain];
  for (const text of ordered) {
    const slug = composeSlug(sources.prefix, text);
    if (slug) return slug;
  }
  return composeSlug(sources.prefix, `tenant-${sources.serviceId}`) ?? `tenant-${sources.serviceId}`;
}

/** `base` with the numeric suffix `-n`, shortened so the result still fits 48 characters. */
export function withSuffix(base: string, n: number): string {
  const suffix = `-${n}`;
  return `${base.slice(0, SLUG_MAX_LENGTH - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/**
 * The slugs an auto-generated create tries, in order. When a replayed create already saved a
 * candidate on the service, the sequence resumes there rather than starting over.
 */
export function slugCandidates(base: string, resumeFrom?: string): string[] {
  const all = [base];
  for (let n = 2; n <= MAX_SLUG_CANDIDATES; n++) all.push(withSuffix(base, n));
  if (resumeFrom === undefined) return all;
  const at = all.indexOf(resumeFrom);
  return at >= 0 ? all.slice(at) : [resumeFrom, ...all.filter((slug) => slug !== resumeFrom)];
}
