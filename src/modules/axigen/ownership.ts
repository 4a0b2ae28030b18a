import type { ProvisioningError } from '../../core/errors.js';
import { ownershipMark, serviceIdOfMark } from '../contract.js';
import { axigenErrors } from './errors.js';

/**
 * The ownership rule (modules/contract.ts) in Axigen's terms: an object is this service's only
 * when it carries `customerReference = provisio-service-<id>` — a domain at domain level (10.5/10.6
 * help: domain `SET customerReference`; the postmaster account for domains made by provisio
 * before), a mailbox on the account. Nothing else makes an object ours: not a name this service
 * claimed, not a missing mark.
 */
function describeMark(mark: string): string {
  if (mark === '') return 'carries no provisio mark';
  const other = serviceIdOfMark(mark);
  return other === null
    ? `carries the customerReference "${mark.slice(0, 80)}"`
    : `carries the mark of service ${other}`;
}

function advice(serviceId: number, mark: string, what: string): string {
  const other = serviceIdOfMark(mark);
  return other !== null && other !== serviceId
    ? `it belongs to service ${other}: resolve that service first`
    : `pick another ${what}, or take it over deliberately with \`provisio service adopt ${serviceId}\``;
}

export function foreignDomain(
  domain: string,
  where: string,
  serviceId: number,
  mark: string,
): ProvisioningError {
  return axigenErrors.error(
    'axigen.domain_foreign',
    `the domain ${domain} on ${where} ${describeMark(mark)}, so it is not service ${serviceId}'s (${ownershipMark(serviceId)}) and provisio leaves it alone: ${advice(serviceId, mark, 'domain')}`,
  );
}

export function foreignAccount(
  address: string,
  where: string,
  serviceId: number,
  mark: string,
): ProvisioningError {
  return axigenErrors.error(
    'axigen.account_foreign',
    `the mailbox ${address} on ${where} ${describeMark(mark)}, so it is not service ${serviceId}'s (${ownershipMark(serviceId)}) and provisio leaves it alone: ${advice(serviceId, mark, 'username')}`,
  );
}

/** Adopt writes our mark only over no mark or a foreign text, never over another service's mark. */
export function refuseOtherService(object: string, serviceId: number, mark: string): void {
  const other = serviceIdOfMark(mark);
  if (other !== null && other !== serviceId)
    throw axigenErrors.error(
      'axigen.marked_by_other',
      `${object} carries the mark of service ${other}; adopting it for service ${serviceId} would take it from that service: resolve service ${other} first`,
    );
}
