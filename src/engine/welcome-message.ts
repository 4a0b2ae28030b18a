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
 * - The service password is deliberately NOT a merge field: the engine keeps it sealed and never
 *   returns it on reads, and a rendered message travels through the API and into mail logs. The
 *   pass key is there because delivering it to the client is the documented purpose of the field.
 */
export interface WelcomeData {
  service: {
    id: number;
    status: string;
    domain: string;
    username: string;
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
}

export function welcomeData(sources: WelcomeSources): WelcomeData {
  const { service, client, product } = sources;
  return {
    service: {
      id: service.id,
      status: service.status,
      domain: service.domain ?? '',
      username: service.username ?? '',
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
    return undefined;
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0] ?? 'syntax error';
    return `the welcome template does not compile: ${detail}. Merge fields look like {{client.firstName}} or {{client.customFields.[Pass Key]}}`;
  }
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
