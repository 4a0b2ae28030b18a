import { describe, expect, it } from 'vitest';
import {
  checkWelcomeTemplate,
  renderWelcomeMessage,
  type WelcomeSources,
  welcomeData,
} from '../../src/engine/welcome-message.js';

const sources: WelcomeSources = {
  service: { id: 7, status: 'active', domain: null, username: 'sg7', customFields: { Plan: 'Gold' } },
  client: {
    id: 3,
    firstName: 'Ada',
    lastName: '',
    email: 'ada@example.com',
    company: '<script>alert(1)</script>',
    customFields: { 'Pass Key': 'K3Y&"<>' },
  },
  product: { id: 2, name: 'Backup 50 GB', module: 'storegrid' },
};

describe('welcome messages', () => {
  it('renders merge fields from service, client and product, escaping every value', () => {
    const text = renderWelcomeMessage(
      'Hello {{client.fullName}} ({{client.company}}), {{product.name}} #{{service.id}} as {{service.username}}, ' +
        'plan {{service.customFields.Plan}}, key {{client.customFields.[Pass Key]}}, domain "{{service.domain}}"',
      welcomeData(sources),
    );
    expect(text).toBe(
      'Hello Ada (&lt;script&gt;alert(1)&lt;/script&gt;), Backup 50 GB #7 as sg7, plan Gold, key K3Y&amp;&quot;&lt;&gt;, domain ""',
    );
  });

  it('supports the built-in conditionals and loops', () => {
    const text = renderWelcomeMessage(
      '{{#if client.customFields.[Pass Key]}}key set{{else}}no key{{/if}};{{#each service.customFields}} {{@key}}={{this}}{{/each}}',
      welcomeData(sources),
    );
    expect(text).toBe('key set; Plan=Gold');
  });

  it('offers the service password as a merge field, escaped, and only when given', () => {
    const data = welcomeData({ ...sources, password: 'hunter<2>' });
    expect(renderWelcomeMessage('[{{service.password}}]', data)).toBe('[hunter&lt;2&gt;]');
    expect(renderWelcomeMessage('[{{service.password}}]', welcomeData(sources))).toBe('[]');
  });

  it('refuses partials and decorators at save: none exists, so every render would fail', () => {
    expect(checkWelcomeTemplate('Hi {{> signature}}')).toMatch(/partial or decorator/);
    expect(checkWelcomeTemplate('{{#if client.id}}{{> footer}}{{/if}}')).toMatch(/partial or decorator/);
    expect(checkWelcomeTemplate('{{#> layout}}x{{/layout}}')).toMatch(/partial or decorator/);
  });

  it('refuses templates that do not compile or call unknown helpers, with a clear message', () => {
    expect(checkWelcomeTemplate('Hello {{client.firstName}}')).toBeUndefined();
    expect(checkWelcomeTemplate('Hello {{client.firstName')).toMatch(
      /^the welcome template does not compile: Parse error on line 1/,
    );
    expect(checkWelcomeTemplate('{{#if x}}open')).toMatch(/does not compile/);
    expect(checkWelcomeTemplate('{{shout client.firstName}}')).toMatch(/does not compile/);
    expect(checkWelcomeTemplate('x'.repeat(20_001))).toMatch(/at most 20000/);
    expect(() => renderWelcomeMessage('{{#each}}', welcomeData(sources))).toThrow(/does not compile/);
  });

  it('does not reach prototype properties', () => {
    expect(renderWelcomeMessage('[{{client.constructor}}][{{__proto__}}]', welcomeData(sources))).toBe(
      '[][]',
    );
  });
});
