/**
 * Remote ids the engine learns that the vendor modules kept on the WHMCS service, and the service
 * property (custom field) each goes to. WHMCS creates a missing custom field on first save.
 * Bookkeeping ids of a module (a create in progress, a diagnostics baseline) stay in provisio.
 */
export const WRITE_BACK: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  axigen: { domain: 'Axigen domain', account: 'Axigen account' },
  calagopus: { 'Server UUID': 'Server UUID', 'Server ID': 'Server ID' },
  dcimanager6: { serverId: 'DCImanager server id' },
  easymailarchive: { slug: 'Tenant slug', accessUrl: 'Access URL' },
};

/** Product settings under which an operation still waiting on the backend counts as done. */
export const WAITING_IS_DONE: Readonly<Record<string, string>> = {
  dcimanager6: 'dontWaitOsInstall',
};
