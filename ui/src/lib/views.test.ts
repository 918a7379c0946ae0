import { describe, expect, it } from 'vitest';
import { VIEWS, viewById } from './views';

describe('VIEWS', () => {
  it('lists the sidebar in the order the product defines', () => {
    expect(VIEWS.map((v) => v.label)).toEqual([
      'Contractors',
      'Permits',
      'Print queue',
      'Activity',
      'Gate panels',
      'Settings',
    ]);
  });

  it('has unique ids (they become data-testids)', () => {
    expect(new Set(VIEWS.map((v) => v.id)).size).toBe(VIEWS.length);
  });

  it('finds a view by id and refuses an unknown one', () => {
    expect(viewById('permits').label).toBe('Permits');
    expect(() => viewById('nope' as never)).toThrow(/unknown view/);
  });
});
