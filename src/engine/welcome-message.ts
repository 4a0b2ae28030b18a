import Handlebars from 'handlebars';
import { fail } from '../core/error-catalogue.js';

/**
 * Per-product welcome messages: a Handlebars template stored on the product, rendered with merge
 * fields from the service, its client and its product (as WHMCS's welcome e-mail uses
 * `{$client_custom_fields.0}` to show a StoreGrid pass key).
 *
 * - Every value is HTML-escaped (`{{…}}`); templates are refused at product save when they do not
 *   compile or call a helper other than Handlebars' built-ins (`if`, `unless`, `each`, `with`,
 *   `lookup`), so a template cannot run code of its own.
 * - Merge fields, e.g. `{{client.firstName}}`, `{{service.username}}`,
 *   `{{client.customFields.[Pass Key]}}`, `{{product.name}}`. Missing fields render empty.
 * - `{{service.password}}` and the pass key are merge fields: delivering them to the customer is
 *   what a welcome message is for (WHMCS's welcome e-mail carries the password). So rendering is an
 *   operator's audited act (services-api.ts), never a read any token can do.
 * - Partials (`{{> name}}`) and decorators are refused at save: none is registered, so every
 *   render would fail.
 */
export interface WelcomeData {
  service: {
    id: number;
    status: string;
    domain: string;
    username: string;
    password: string;
    customFields: Readonly<Record<string, string>>;
  };
  client: {
    id: number;
    firstName: string;
    lastName: string;
    fullName: string;
    email: string;
    company: string;
    customFields: Readonly<Record<string, string>>;
  };
  product: { id: number; name: string; module: string };
}

/** The record fields the builder reads; the client's custom fields must already be decrypted. */
export interface WelcomeSources {
  service: {
    id: number;
    status: string;
    domain: string | null;
    username: string | null;
    customFields: Readonly<Record<string, string>>;
  };
  client: {
    id: number;
    firstName: string;
    lastName: string;
    email: string;
    company: string;
    customFields: Readonly<Record<string, string>>;
  };
  product: { id: number; name: string; module: string };
  /** The service password, decrypted. */
  password?: string | null;
}

export function welcomeData(sources: WelcomeSources): WelcomeData {
  const { service, client, product } = sources;
  return {
    service: {
      id: service.id,
      status: service.status,
      domain: service.domain ?? '',
      username: service.username ?? '',
      password: sources.password ?? '',
      customFields: { ...service.customFields },
    },
    client: {
      id: client.id,
      firstName: client.firstName,
      lastName: client.lastName,
      fullName: [client.firstName, client.lastName].filter((part) => part !== '').join(' '),
      email: client.email,
      company: client.company,
      customFields: { ...client.customFields },
    },
    product: { id: product.id, name: product.name, module: product.module },
  };
}

/** An isolated Handlebars: nothing registered globally by anyone else reaches our templates. */
const handlebars = Handlebars.create();
const COMPILE_OPTIONS = { knownHelpersOnly: true, noEscape: false, strict: false } as const;
const MAX_TEMPLATE_LENGTH = 20_000;

/** Why a template cannot be used, or undefined when it compiles. For product save. */
export function checkWelcomeTemplate(template: string): string | undefined {
  if (template.length > MAX_TEMPLATE_LENGTH) {
    return `the welcome template is ${template.length} characters long; at most ${MAX_TEMPLATE_LENGTH}`;
  }
  try {
    handlebars.precompile(template, COMPILE_OPTIONS);
    if (usesPartials(handlebars.parse(template))) {
      return 'the welcome template uses a partial or decorator ({{> …}}, {{* …}}): only merge fields, if, unless, each, with and lookup are available';
    }
    return undefined;
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0] ?? 'syntax error';
    return `the welcome template does not compile: ${detail}. Merge fields look like {{client.firstName}} or {{client.customFields.[Pass Key]}}`;
  }
}

/** Whether a parsed template contains partials, partial blocks or decorators anywhere. */
function usesPartials(node: hbs.AST.Node): boolean {
  if (/^(Partial|PartialBlock|Decorator|DecoratorBlock)Statement$|^Decorator/.test(node.type)) return true;
  const inner = node as unknown as {
    body?: hbs.AST.Node[];
    program?: hbs.AST.Program;
    inverse?: hbs.AST.Program;
  };
  return [...(inner.body ?? []), inner.program, inner.inverse].some((child) => child && usesPartials(child));
}

const compiled = new Map<string, HandlebarsTemplateDelegate<WelcomeData>>();

/** Renders with HTML escaping; throws when the template does not compile (check it at save). */
export function renderWelcomeMessage(template: string, data: WelcomeData): string {
  let render = compiled.get(template);
  if (!render) {
    const problem = checkWelcomeTemplate(template);
    if (problem) throw fail('welcome.template_invalid', problem);
    render = handlebars.compile<WelcomeData>(template, COMPILE_OPTIONS);
    if (compiled.size > 500) compiled.clear();
    compiled.set(template, render);
  }
  return render(data, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
}
