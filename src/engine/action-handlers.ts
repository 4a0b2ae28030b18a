import {
  ACTION_HANDLERS,
  type ActionContext,
  type AnyModule,
  type CustomAction,
  type SettingValue,
} from '../modules/contract.js';

/** Operation actions name custom actions `custom:<name>`; this is the one place that knows it. */
const CUSTOM_PREFIX = 'custom:';

export function customActionName(action: string): string | null {
  return action.startsWith(CUSTOM_PREFIX) ? action.slice(CUSTOM_PREFIX.length) : null;
}

export function customActionKey(name: string): string {
  return `${CUSTOM_PREFIX}${name}`;
}

/** The module's own custom action of that name (never an inherited `constructor` or `toString`). */
export function customActionOf(module: AnyModule, name: string): CustomAction<unknown> | undefined {
  const actions = module.actions;
  return actions && Object.hasOwn(actions, name) ? actions[name] : undefined;
}

type Handler = (ctx: ActionContext<Record<string, SettingValue>>) => Promise<unknown>;

/**
 * The module function that carries out an operation action, or undefined when the module has
 * none. Used by enqueue (refuse at once) and by the runner (run it), so both agree.
 * `adopt` is the engine's own (see ownership.ts) and needs the module's `adopt`.
 */
export function handlerOf(module: AnyModule, action: string): Handler | undefined {
  const custom = customActionName(action);
  if (custom !== null) {
    const found = customActionOf(module, custom);
    return found ? (ctx) => found.run(ctx) : undefined;
  }
  if (action === 'adopt') return module.adopt ? (ctx) => module.adopt!(ctx) : undefined;
  const name = Object.hasOwn(ACTION_HANDLERS, action)
    ? ACTION_HANDLERS[action as keyof typeof ACTION_HANDLERS]
    : undefined;
  const handler = name ? module[name] : undefined;
  return typeof handler === 'function' ? (ctx) => (handler as Handler).call(module, ctx) : undefined;
}
