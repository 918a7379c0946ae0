import { describe, expect, it } from 'vitest';
import { PermitFilterForm } from './permitFilter.svelte';

describe('the permits filter bar', () => {
  it('asks for the live permits by default, soonest to end first', () => {
    const f = new PermitFilterForm().toFilter(null);
    expect(f).toEqual({
      statuses: ['ACCEPTED', 'PENDING'],
      permitType: null,
      contractorId: null,
      propertyId: null,
      flatId: null,
      expiringWithinMinutes: null,
      ids: [],
      day: null,
      search: '',
      sort: 'validTill',
      descending: false,
    });
  });

  it('sends one of today\'s views, and clearing drops it', () => {
    const form = new PermitFilterForm();
    form.day = 'expiringToday';
    expect(form.toFilter(null).day).toBe('expiringToday');
    form.clear();
    expect(form.toFilter(null).day).toBeNull();
  });

  it('asks for every status when "Any status" is picked', () => {
    const form = new PermitFilterForm();
    form.status = '';
    expect(form.toFilter(null).statuses).toEqual([]);
  });

  it('sends "expiring within" in minutes, a custom number of hours included', () => {
    const form = new PermitFilterForm();
    form.expiring = '24';
    expect(form.toFilter(null).expiringWithinMinutes).toBe(1440);
    form.expiring = 'custom';
    form.customHours = 1.6;
    expect(form.toFilter(null).expiringWithinMinutes).toBe(120);
  });

  it('narrows to one status, type, unit, property and contractor, trimmed', () => {
    const form = new PermitFilterForm();
    form.status = 'REVOKED';
    form.permitType = 'fitOut';
    form.unit = '  u-1 ';
    form.property = ' p-2';
    const f = form.toFilter('c-9');
    expect([f.statuses, f.permitType, f.flatId, f.propertyId, f.contractorId]).toEqual([
      ['REVOKED'],
      'fitOut',
      'u-1',
      'p-2',
      'c-9',
    ]);
  });

  it("shows an alert's permits with nothing else filtering them", () => {
    const form = new PermitFilterForm();
    form.status = 'REVOKED';
    form.search = 'WP-1';
    form.expiring = '24';
    form.clear();
    const f = form.toFilter(null, ['p-1', 'p-2']);
    expect([f.ids, f.statuses, f.search, f.expiringWithinMinutes]).toEqual([['p-1', 'p-2'], [], '', null]);
  });

  it('turns the order round on a second click of the same column', () => {
    const form = new PermitFilterForm();
    form.sortBy('contractor');
    expect([form.sort, form.descending]).toEqual(['contractor', false]);
    form.sortBy('contractor');
    expect([form.sort, form.descending]).toEqual(['contractor', true]);
    form.sortBy('unit');
    expect([form.sort, form.descending]).toEqual(['unit', false]);
  });
});
