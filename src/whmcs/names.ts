/**
 * WHMCS module names: one lowercase word of letters and digits that starts with a letter, used as
 * the folder, the file and the function prefix (`provisio_axigen_CreateAccount`). WHMCS accepts
 * the underscore after `provisio` the way every `<name>_<Function>` prefix has one.
 */
export function whmcsModuleName(moduleId: string, productType: string | null): string {
  const word = `${moduleId}${productType ?? ''}`.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (!/^[a-z][a-z0-9]*$/.test(word)) throw new Error(`module ${moduleId} has no usable WHMCS name`);
  return `provisio_${word}`;
}

/** A PHP function suffix for a module's custom action: `reinstall-os` → `action_reinstall_os`. */
export function customFunctionSuffix(actionName: string): string {
  return `action_${actionName.replace(/[^a-zA-Z0-9]/g, '_')}`;
}

/** A loader function suffix for a settings field: `osTemplate` → `LoadosTemplate`. */
export function loaderFunctionSuffix(fieldName: string): string {
  return `Load${fieldName.replace(/[^a-zA-Z0-9]/g, '_')}`;
}
