/**
 * EMULATOR GUESS TABLE — every fact about StoreGrid behaviour that no public source confirms.
 *
 * The wire format itself (paths, parameter names, envelope) is the module's assumption and lives
 * in src/modules/storegrid/wire-adapter.ts, which the emulator imports. What is here is the
 * emulator's own choice [E] or an inference [I]/[?] from specs/storegrid.md, in one place so a
 * capture from a real server can correct it:
 */
export const STOREGRID_GUESSES = Object.freeze({
  /** [?] Product string and version reported by ServerInfo. */
  product: 'StoreGrid SP',
  version: '4.4.0 (emulated)',
  /** [E] Console admin credentials of a fresh emulator (override with --set username=… password=…). */
  adminUsername: 'admin',
  adminPassword: 'storegrid-admin',
  /** [I] Names identify accounts server-wide: a reseller and a customer cannot share one (§5.4). */
  namesUniqueAcrossTypes: true,
  /** [?] Account-name rule. */
  namePattern: /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/,
  /** [?] Size of the server's MCAL pool (S5: keys define a number of MCALs). */
  mcalPool: 1000,
  /** [I] Customers of a reseller share the reseller's allotted space (S3 "Restrict Usage Space To"). */
  customersShareResellerSpace: true,
  /** [V product docs] Restricted rate bounds, exclusive; GB taken as 2^30 bytes [I]. */
  minRestrictedRateExclusive: 1024,
  maxRestrictedRateExclusive: 9999 * 1024 ** 3,
  /** [?] Pass key: 16 characters from this alphabet, made at customer signup. */
  passKeyLength: 16,
  passKeyAlphabet: 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
  /** [E] Demo fixtures. */
  fixtures: {
    reseller: { name: 'demo-reseller', email: 'reseller@example.net', storageAllottedBytes: 1024 ** 4 },
    customer: { name: 'demo-customer', email: 'customer@example.net', storageAllottedBytes: 50 * 1024 ** 3 },
  },
});
