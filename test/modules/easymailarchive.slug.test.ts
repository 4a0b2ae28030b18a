import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  composeSlug,
  generateSlug,
  SLUG_MAX_LENGTH,
  slugCandidates,
  slugifyDomain,
  slugifyText,
  slugRuleViolation,
  withSuffix,
} from '../../src/modules/easymailarchive/slug.js';

const sources = { prefix: '', preferred: 'company' as const, domain: null, company: '', serviceId: 42 };

describe('easymailarchive slug rules', () => {
  it.each([
    ['acme', undefined],
    ['ab', 'must be 3–48 characters long (it has 2)'],
    ['a'.repeat(49), 'must be 3–48 characters long (it has 49)'],
    ['Acme', 'may contain only lowercase letters a-z, digits and hyphens'],
    ['acme_corp', 'may contain only lowercase letters a-z, digits and hyphens'],
    ['1acme', 'must start with a letter'],
    ['-acme', 'must start with a letter'],
    ['acme-', 'must not end with a hyphen'],
    ['a'.repeat(48), undefined],
  ])('%s → %s', (slug, violation) => {
    expect(slugRuleViolation(slug)).toBe(violation);
  });
});

describe('easymailarchive slugs from company names', () => {
  it.each([
    ['Müller Bäckerei GmbH', 'muller-backerei-gmbh'],
    ['Smith & Sons, Ltd.', 'smith-and-sons-ltd'],
    ["O'Brien’s Café", 'obriens-cafe'],
    ['  ***ACME*** Corp!!  ', 'acme-corp'],
    ['Straße & Söhne', 'strasse-and-sohne'],
    ['Рога и Копыта', 'roga-i-kopyta'],
    ['Ελληνικά Αρχεία', 'ellinika-archeia'],
    ['Łódź Øresund Æther', 'lodz-oresund-aether'],
    ['C++ Developers', 'c-plus-plus-developers'],
    ['株式会社', ''],
  ])('%s → %s', (company, slug) => {
    expect(slugifyText(company)).toBe(slug);
  });

  it('drops leading digits only when no prefix gives the slug its letter', () => {
    expect(generateSlug({ ...sources, company: '123 Logistics' })).toBe('logistics');
    expect(generateSlug({ ...sources, prefix: 'mc-', company: '123 Logistics' })).toBe('mc-123-logistics');
  });

  it('cuts long names at a word boundary within 48 characters, with the prefix kept', () => {
    const company = 'The International Association of Professional Email Archivists and Records Managers';
    const slug = generateSlug({ ...sources, prefix: 'mycompany-', company });
    expect(slug).toBe('mycompany-the-international-association-of');
    expect(slug.length).toBeLessThanOrEqual(SLUG_MAX_LENGTH);
    const oneWord = generateSlug({ ...sources, company: 'x'.repeat(80) });
    expect(oneWord).toBe('x'.repeat(48));
  });

  it('falls back to the domain, then to tenant-<service id>, when the name has no usable letters', () => {
    expect(generateSlug({ ...sources, company: '株式会社', domain: 'kabushiki.co.jp' })).toBe('kabushiki');
    expect(generateSlug({ ...sources, company: '株式会社' })).toBe('tenant-42');
    expect(generateSlug({ ...sources, prefix: 'ema-', company: '!!' })).toBe('ema-tenant-42');
    expect(generateSlug({ ...sources, company: '7' })).toBe('tenant-42');
  });
});

describe('easymailarchive slugs from domains', () => {
  it.each([
    ['acme.com', 'acme'],
    ['www.acme.com', 'acme'],
    ['www.shop.acme.co.uk', 'shop-acme'],
    ['xn--mnchen-3ya.de', 'munchen'],
    ['münchen.de', 'munchen'],
    ['bücher-börse.at', 'bucher-borse'],
    ['xn--80aswg.xn--p1ai', 'sayt'],
    ['пример.рф', 'primer'],
    ['例え.jp', 'xn-r8jz45g'],
    ['ACME.COM.', 'acme'],
  ])('%s → %s', (domain, slug) => {
    expect(slugifyDomain(domain)).toBe(slug);
  });

  it('prefers the domain or the company as the product says, with the prefix in front', () => {
    const service = {
      ...sources,
      prefix: 'mycompany-',
      domain: 'acme-archive.com',
      company: 'Acme Corporation',
    };
    expect(generateSlug({ ...service, preferred: 'domain' })).toBe('mycompany-acme-archive');
    expect(generateSlug({ ...service, preferred: 'company' })).toBe('mycompany-acme-corporation');
    expect(generateSlug({ ...service, preferred: 'domain', domain: null })).toBe(
      'mycompany-acme-corporation',
    );
  });
});

describe('easymailarchive conflict suffixes', () => {
  it('numbers candidates and keeps them within 48 characters without a trailing hyphen', () => {
    expect(slugCandidates('acme').slice(0, 3)).toEqual(['acme', 'acme-2', 'acme-3']);
    const long = `${'a'.repeat(45)}-bc`;
    expect(withSuffix(long, 2)).toBe(`${'a'.repeat(45)}-2`);
    expect(withSuffix('a'.repeat(48), 12)).toBe(`${'a'.repeat(45)}-12`);
  });

  it('resumes after the candidate a replayed create saved', () => {
    expect(slugCandidates('acme', 'acme-3').slice(0, 2)).toEqual(['acme-3', 'acme-4']);
    expect(slugCandidates('acme', 'other-slug').slice(0, 3)).toEqual(['other-slug', 'acme', 'acme-2']);
  });

  it('always yields valid slugs, whatever the company, domain and prefix', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 120 }),
        fc.option(fc.domain()),
        fc.stringMatching(/^([a-z][a-z0-9-]{0,31})?$/),
        fc.integer({ min: 2, max: 20 }),
        (company, domain, prefix, n) => {
          const base = generateSlug({ prefix, preferred: 'domain', domain, company, serviceId: 7 });
          expect(slugRuleViolation(base)).toBeUndefined();
          expect(slugRuleViolation(withSuffix(base, n))).toBeUndefined();
        },
      ),
    );
  });

  it('refuses to compose from nothing', () => {
    expect(composeSlug('mycompany-', '')).toBeUndefined();
  });
});
