import { describe, expect, it } from 'vitest';
import { defineModule, type SettingsSchema } from '../../src/modules/contract.js';
import { splitSecretSettings, validateSettings } from '../../src/modules/settings.js';

const schema: SettingsSchema = {
  fields: [
    { name: 'name', label: 'Name', type: 'text', required: true, maxLength: 10 },
    { name: 'quota', label: 'Quota', type: 'number', min: 1, max: 100, default: 10 },
    { name: 'groupware', label: 'Groupware', type: 'yesno' },
    {
      name: 'tier',
      label: 'Tier',
      type: 'dropdown',
      options: [
        { value: 'a', label: 'A' },
        { value: 'b', label: 'B' },
      ],
    },
    { name: 'key', label: 'Key', type: 'password' },
    {
      name: 'slug',
      label: 'Slug',
      type: 'text',
      pattern: /^[a-z]+$/,
      patternMessage: 'Slug must be lowercase letters',
    },
  ],
  validate: (v) =>
    v.tier === 'b' && v.quota === 10
      ? [{ field: 'quota', message: 'Tier B needs a quota other than 10' }]
      : [],
};

describe('validateSettings', () => {
  it('coerces types and fills defaults', () => {
    const result = validateSettings(schema, { name: 'x', quota: '42', groupware: 'on', tier: 'a' });
    expect(result).toEqual({
      ok: true,
      values: { name: 'x', quota: 42, groupware: true, tier: 'a', key: '', slug: '' },
    });
  });

  it('lists every error at once, field and cross-field', () => {
    const result = validateSettings(schema, {
      quota: 'lots',
      groupware: 'maybe',
      tier: 'c',
      slug: 'UP',
      extra: 1,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { field: 'extra', message: 'extra is not a setting of this product' },
      { field: 'name', message: 'Name is required' },
      { field: 'quota', message: 'Quota must be a number' },
      { field: 'groupware', message: 'Groupware must be yes or no' },
      { field: 'tier', message: 'Tier must be one of: a, b' },
      { field: 'slug', message: 'Slug must be lowercase letters' },
    ]);
  });

  it('checks bounds and single-line text', () => {
    const result = validateSettings(schema, { name: 'a\nb', quota: 0 });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors.map((e) => e.message)).toEqual([
        'Name must be a single line',
        'Quota must be at least 1',
      ]);
  });

  it('runs cross-field rules on coerced values', () => {
    const result = validateSettings(schema, { name: 'x', tier: 'b' });
    expect(result.ok).toBe(false);
  });

  it('splits secret fields from plain ones', () => {
    expect(splitSecretSettings(schema, { name: 'x', key: 's3cret' })).toEqual({
      plain: { name: 'x' },
      secret: { key: 's3cret' },
    });
  });
});

describe('defineModule', () => {
  it('refuses more than 24 settings fields', () => {
    const fields = Array.from({ length: 25 }, (_, i) => ({
      name: `f${i}`,
      label: `F${i}`,
      type: 'text' as const,
    }));
    expect(() =>
      defineModule({
        id: 'big',
        displayName: 'Big',
        server: { credential: 'none', defaultPort: { plain: 1, secure: 2 } },
        settings: { fields },
        testConnection: async () => ({ summary: '' }),
        create: async () => {},
        lookup: async () => null,
      }),
    ).toThrow(/25 fields; at most 24/);
  });
});
