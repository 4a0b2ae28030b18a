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

/**
 * Reconcile's repairs run as operations `repair:<name>`, each the module function that makes the
 * backend agree with billing again (engine/reconcile-repair.ts chooses and checks them).
 */
const REPAIR_PREFIX = 'repair:';
export const REPAIR_HANDLERS = {
  recreate: 'create',
  're-suspend': 'suspend',
  unsuspend: 'unsuspend',
  'reapply-package': 'changePackage',
  release: 'terminate',
} as const satisfies Record<string, keyof AnyModule>;
export type RepairOperation = keyof typeof REPAIR_HANDLERS;

export function repairActionName(action: string): RepairOperation | null {
  if (!action.startsWith(REPAIR_PREFIX)) return null;
  const name = action.slice(REPAIR_PREFIX.length);
  return Object.hasOwn(REPAIR_HANDLERS, name) ? (name as RepairOperation) : null;
}

export function repairActionKey(name: RepairOperation): string {
  return `${REPAIR_PREFIX}${name}`;
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
  const repair = repairActionName(action);
  const name =
    repair !== null
      ? REPAIR_HANDLERS[repair]
      : Object.hasOwn(ACTION_HANDLERS, action)
        ? ACTION_HANDLERS[action as keyof typeof ACTION_HANDLERS]
        : undefined;
  const handler = name ? module[name] : undefined;
  return typeof handler === 'function' ? (ctx) => (handler as Handler).call(module, ctx) : undefined;
}
