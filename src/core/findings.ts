/**
 * Reconcile's vocabulary (issue 16): the five differences between billing and a backend, and
 * what an operator made of one. engine/reconcile-classify.ts decides them; the store keeps them.
 */
export const FINDING_KINDS = ['missing', 'state-drift', 'package-drift', 'orphan', 'foreign'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** `open` until repaired or ignored; a finding a later pass no longer sees is also closed. */
export const FINDING_STATUSES = ['open', 'repaired', 'ignored'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** The largest page of findings one request lists or repairs. */
export const MAX_FINDINGS_PAGE = 1_000;
