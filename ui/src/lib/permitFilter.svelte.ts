// What the permits table's filter bar holds, as the person sets it, and the PermitFilter the
// Rust side is asked with. Statuses, types and sorts are the bindings' own words.
import type { DayView } from './bindings/DayView';
import type { PermitFilter } from './bindings/PermitFilter';
import type { PermitSort } from './bindings/PermitSort';
import type { PermitType } from './bindings/PermitType';
import type { StatusName } from './bindings/StatusName';

/** "Expiring within": only ACCEPTED permits can run out, so that is what these list. */
export const EXPIRING = [
  { id: '', label: 'Any time' },
  { id: '2', label: 'Accepted, ending within 2 h' },
  { id: '24', label: 'Accepted, ending within 24 h' },
  { id: '72', label: 'Accepted, ending within 72 h' },
  { id: 'custom', label: 'Accepted, ending within…' },
] as const;

export type Expiring = (typeof EXPIRING)[number]['id'];

/** The permits a desk works with: the ones that open a gate now or may soon. The table opens
 *  on them; every status is a click away. */
export const LIVE: readonly StatusName[] = ['ACCEPTED', 'PENDING'];

export class PermitFilterForm {
  search = $state('');
  /** One status, every status (''), or the live ones ('live', the default). */
  status = $state<StatusName | '' | 'live'>('live');
  permitType = $state<PermitType | ''>('');
  expiring = $state<Expiring>('');
  customHours = $state(48);
  unit = $state('');
  property = $state('');
  sort = $state<PermitSort>('validTill');
  descending = $state(false);
  /** One of today's views (active now, expiring today, …), or none. */
  day = $state<DayView | ''>('');

  /** Every permit, in the default order: the bar as a new filter starts from. */
  clear(): void {
    this.day = '';
    this.search = '';
    this.status = '';
    this.permitType = '';
    this.expiring = '';
    this.unit = '';
    this.property = '';
    this.sort = 'validTill';
    this.descending = false;
  }

  /** The filter as the Rust side takes it, narrowed to one contractor, or to named permits (an
   *  alert's), if given. */
  toFilter(contractorId: string | null, ids: string[] = []): PermitFilter {
    const hours =
      this.expiring === 'custom' ? Math.round(this.customHours) : this.expiring ? Number(this.expiring) : null;
    return {
      statuses: this.status === 'live' ? [...LIVE] : this.status ? [this.status] : [],
      permitType: this.permitType || null,
      contractorId,
      propertyId: this.property.trim() || null,
      flatId: this.unit.trim() || null,
      expiringWithinMinutes: hours === null ? null : hours * 60,
      ids,
      day: this.day || null,
      search: this.search,
      sort: this.sort,
      descending: this.descending,
    };
  }

  /** A click on a column's header: by it, or the other way round if it is the order already. */
  sortBy(sort: PermitSort): void {
    if (this.sort === sort) this.descending = !this.descending;
    else {
      this.sort = sort;
      this.descending = false;
    }
  }
}

/** The permits view's filters, kept while the desk visits other views and comes back. */
export const permitsForm = new PermitFilterForm();
