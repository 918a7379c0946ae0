// How statuses and counts read in the views.
import type { PermitType } from './bindings/PermitType';
import type { StatusName } from './bindings/StatusName';
import { PERMIT_TYPES } from './bindings/vocabulary';

/** The chip colour of a permit's `statusName`. */
export function statusTone(status: StatusName): 'ok' | 'bad' | 'wait' | '' {
  switch (status) {
    case 'ACCEPTED':
      return 'ok';
    case 'REVOKED':
    case 'ARCHIVED':
    case 'EXPIRED':
    case 'REJECTED':
      return 'bad';
    case 'DRAFT':
    case 'PENDING':
      return 'wait';
    default:
      return '';
  }
}

/** "1 permit", "3 permits". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

/** A trade licence's expiry in words, from the days left (negative once expired). */
export function licenceWords(days: number | null): string {
  if (days === null) return '';
  if (days < 0) return `expired ${plural(-days, 'day')} ago`;
  if (days === 0) return 'expires today';
  return `expires in ${plural(days, 'day')}`;
}

/** `fitOut` → "Fit-out" (the words come from Rust); an unknown type as the API gives it. */
export function permitTypeLabel(type: PermitType | null): string {
  if (type === null) return '';
  return PERMIT_TYPES.find((t) => t.id === type)?.label ?? type;
}

/** A UAE phone as a desk reads it: `+971551000052` → `055 100 0052`, `+97142223333` →
 *  `04 222 3333`; any other number as it was given. */
export function phoneWords(raw: string): string {
  const digits = raw.replace(/[^\d]/g, '');
  const national = digits.startsWith('00971') ? digits.slice(5) : digits.startsWith('971') ? digits.slice(3) : digits.startsWith('0') ? digits.slice(1) : null;
  if (national === null || !/^\d{8,9}$/.test(national)) return raw;
  // Mobiles (5x) have a two-digit prefix; landlines (2, 3, 4, 6, 7, 9) one.
  const prefix = national.startsWith('5') ? 2 : 1;
  const rest = national.slice(prefix);
  return `0${national.slice(0, prefix)} ${rest.slice(0, rest.length - 4)} ${rest.slice(-4)}`;
}
